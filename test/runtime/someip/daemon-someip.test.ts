/** The daemon with SOME/IP on: real engine results reach a SOME/IP subscriber through SD. */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main.js';
import type { Daemon } from '../../../runtime/daemon.js';
import type { DomainDefinition } from '../../../runtime/service/domain.js';
import { testDomain, type TestResult } from '../engine/fixture.js';
import { DOMAINS } from '../../../domains/index.js';
import { startSomeipDaemon, type SomeipDaemon } from './daemon-fixture.js';
import { sameValues } from './bridge-fixture.js';

/** The test domain, speaking the ADAS result's JSON form, remembering what it handed out. */
const published: Record<string, number | string | boolean | null>[] = [];
const adasShaped: DomainDefinition<TestResult, { speed: number }> = {
  ...testDomain,
  someip: DOMAINS.adas.someip,
  toJson(r) {
    const json = { level: r.score > 1 ? 2 : 0, probability: 0.5, ttc_s: r.score, target_id: 3, source: r.served };
    published.push(json);
    return json;
  },
};

describe('the daemon with SOME/IP enabled', () => {
  let daemon: Daemon;
  let running: SomeipDaemon | undefined;

  beforeAll(async () => {
    running = await startSomeipDaemon(adasShaped as unknown as DomainDefinition, false);
    daemon = running.daemon;
  });

  afterAll(async () => {
    await running?.close();
  });

  it('offers only the enabled domains and streams their results to `ecu-ai someip subscribe`', async () => {
    expect(daemon.someip?.services.map((s) => s.domain)).toEqual(['adas']);
    const sd = daemon.someip!.sdAddress;
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await runCli(['someip', 'subscribe', 'adas', '1', '--count', '5', '--timeout', '10', '--sd', `${sd.address}:${sd.port}`], { stdout, stderr: new PassThrough(), cwd: process.cwd() });
    expect(code).toBe(0);
    const events = out.trim().split('\n').map((l) => (JSON.parse(l) as { value: Record<string, unknown> }).value);
    expect(events).toHaveLength(5);
    for (const e of events) {
      const { t, variant, inputs_valid, ...rest } = e;
      expect(typeof t).toBe('number');
      expect(['fp32', 'int8', 'cloud', 'fallback']).toContain(variant);
      expect(typeof inputs_valid).toBe('boolean');
      expect(published.some((p) => sameValues(rest, p)), JSON.stringify(rest)).toBe(true);
    }
    expect(daemon.someip!.stats.errors).toBe(0);
  });

  it('closes the SOME/IP side on stop', async () => {
    const bridge = daemon.someip!;
    await daemon.stop();
    const before = bridge.stats.published;
    bridge.publish({ domain: 'adas', t: 0, variant: 'fp32', inputsValid: true, result: { score: 1, served: 'model' } });
    expect(bridge.stats.published).toBe(before);
  });
});
