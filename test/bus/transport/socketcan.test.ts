/**
 * SocketCAN needs AF_CAN in the kernel and a vcan interface. Where the kernel lacks AF_CAN, the
 * contract tests skip with that reason, loudly, even under CI=true: that is a property of the
 * machine's kernel, not a missing package CI could install.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BusInitError } from '../../../bus/errors.js';
import { openBus } from '../../../bus/transport/index.js';
import { socketcanSupport } from '../../../bus/transport/socketcan.js';
import { describeTransport } from './transport.contract.js';

const CHANNEL = 'vcan0';

function prepareVcan(): { available: boolean; reason: string } {
  const before = socketcanSupport(CHANNEL);
  if (before.available || !socketcanSupport().available) return before;
  // AF_CAN is there but the interface is not: try to make it (needs root and the vcan module).
  const add = spawnSync('sh', ['-c', `ip link add dev ${CHANNEL} type vcan && ip link set up ${CHANNEL}`], { encoding: 'utf8' });
  const after = socketcanSupport(CHANNEL);
  return after.available ? after : { available: false, reason: `${after.reason}; creating it failed: ${add.stderr.trim()}` };
}

const support = prepareVcan();
if (!support.available) {
  console.warn(`\n*** SKIPPING the SocketCAN contract tests: ${support.reason} ***\n`);
}

describe.skipIf(!support.available)(`SocketCAN on ${CHANNEL}${support.available ? '' : ` (SKIPPED: ${support.reason})`}`, () => {
  describeTransport(
    `socketcan:${CHANNEL}`,
    async () => ({ a: await openBus({ kind: 'socketcan', channel: CHANNEL }), b: await openBus({ kind: 'socketcan', channel: CHANNEL }) }),
    { fd: false },
  );
});

describe('opening SocketCAN where it cannot work', () => {
  it('fails with BusInitError naming the missing interface or kernel support', async () => {
    const opening = openBus({ kind: 'socketcan', channel: 'nosuchcan9' });
    await expect(opening).rejects.toBeInstanceOf(BusInitError);
    await expect(opening).rejects.toThrow(support.available || socketcanSupport().available ? /no network interface nosuchcan9/ : /no AF_CAN/);
  });

  it('explains the kernel limitation when AF_CAN is missing', () => {
    const bare = socketcanSupport();
    expect(bare.available || bare.reason.includes('/proc/net/can')).toBe(true);
  });
});
