import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli as runIn, type CliRun } from '../helpers/cli.js';
import type { ServiceResult } from '../../runtime/service/runner.js';
import type { SomeipBridge } from '../../runtime/someip/index.js';
import { SAMPLE_RESULTS, expectedJson, sameValues, startTestBridge } from '../runtime/someip/bridge-fixture.js';

const cli = (...argv: string[]): Promise<CliRun> => runIn(process.cwd(), ...argv);

let bridge: SomeipBridge;
let sd = '';
beforeAll(async () => {
  bridge = await startTestBridge();
  sd = `${bridge.sdAddress.address}:${bridge.sdAddress.port}`;
});
afterAll(() => bridge.close());

/** Publishes results over and over until `p` settles (the CLI subscribes at some point meanwhile). */
async function publishWhile<T>(p: Promise<T>, results: readonly ServiceResult[]): Promise<T> {
  let settled = false;
  void p.finally(() => (settled = true));
  for (let i = 0; !settled && i < 400; i++) {
    bridge.publish(results[i % results.length]!);
    await new Promise((r) => setTimeout(r, 10));
  }
  return p;
}

describe('ecu-ai someip', () => {
  it('lists the services the bridge offers, as a table and as JSON', async () => {
    const json = await cli('someip', 'list', '--sd', sd, '--wait', '0.5', '--json');
    expect(json.code, json.err).toBe(0);
    const rows = JSON.parse(json.out) as { service: string; instance: number; major: number; domain: string; endpoints: { port: number; protocol: string }[] }[];
    expect(rows.map((r) => [r.domain, r.service])).toEqual(bridge.services.map((s) => [s.domain, `0x${s.ids.serviceId.toString(16).padStart(4, '0')}`]));
    expect(rows.every((r) => r.endpoints.some((e) => e.port === bridge.serviceAddress.port && e.protocol === 'udp'))).toBe(true);
    const table = await cli('someip', 'list', '--sd', sd, '--wait', '0.3');
    expect(table.code).toBe(0);
    expect(table.out.split('\n')[0]).toMatch(/^SERVICE\s+INSTANCE\s+VERSION\s+ENDPOINT\s+DOMAIN$/);
    expect(table.out).toMatch(/0x4a04\s+1\s+1\.0\s+udp:\/\/127\.0\.0\.1:\d+\s+cockpit/);
  });

  it('subscribes to an eventgroup and prints events decoded as the published results', async () => {
    const adas = SAMPLE_RESULTS.filter((r) => r.domain === 'adas' || r.domain === 'powertrain');
    const powertrain = adas.filter((r) => r.domain === 'powertrain');
    const run = await publishWhile(cli('someip', 'subscribe', 'powertrain', '1', '--count', '3', '--sd', sd, '--timeout', '5'), adas);
    expect(run.code, run.err).toBe(0);
    const lines = run.out.trim().split('\n').map((l) => JSON.parse(l) as { service: string; event: string; name: string; value: Record<string, unknown> });
    expect(lines).toHaveLength(3);
    for (const l of lines) {
      expect([l.service, l.event, l.name]).toEqual(['0x4a03', '0x8001', 'result']);
      expect(powertrain.some((r) => sameValues(l.value, expectedJson(r))), JSON.stringify(l.value)).toBe(true);
    }
  });

  it('prints events of a service given by ID, and stops at --timeout with what it got', async () => {
    const run = await cli('someip', 'subscribe', '0x4a05', '1', '--sd', sd, '--timeout', '0.2');
    expect(run.code, run.err).toBe(0);
    expect(run.out).toBe('');
  });

  it('calls getDriverState and prints the last cockpit state', async () => {
    const cockpit = SAMPLE_RESULTS.find((r) => r.domain === 'cockpit')!;
    const latest = { ...cockpit, t: 42, result: { level: 2, confidence: 0.9, source: 'model' } };
    bridge.publish(cockpit);
    bridge.publish(latest);
    const run = await cli('someip', 'call', 'cockpit', 'getDriverState', '--sd', sd);
    expect(run.code, run.err).toBe(0);
    expect(sameValues(JSON.parse(run.out) as Record<string, unknown>, expectedJson(latest))).toBe(true);
  });

  it('calls a method by ID on an unknown method and reports the error return code with exit 1', async () => {
    const run = await cli('someip', 'call', '0x4a04', '0x0077', '"0102"', '--sd', sd);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out)).toEqual({ return_code: 'E_UNKNOWN_METHOD', message_type: 'ERROR', data: '' });
  });

  it('exits 1 naming the service when nobody offers it', async () => {
    const run = await cli('someip', 'subscribe', '0x1234', '1', '--sd', sd, '--wait', '0.3');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/service 0x1234 was not offered at 127\.0\.0\.1:\d+ within 0\.3 s/);
  });

  it('exits 1 when the eventgroup is refused', async () => {
    const run = await cli('someip', 'subscribe', 'adas', '7', '--sd', sd, '--wait', '1');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/eventgroup 7 of service 0x4a01: subscription refused/);
  });

  it('exits 2 on bad usage, naming the problem', async () => {
    for (const argv of [['frobnicate'], ['subscribe', 'radio', '1'], ['subscribe', '0x4a01', '70000'], ['call', 'cockpit', 'sing'], ['call', 'cockpit', 'getDriverState', '{bad'], ['list', '--sd', 'localhost']]) {
      const run = await cli('someip', ...argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.err).toMatch(/ecu-ai someip: \S/);
    }
  });
});
