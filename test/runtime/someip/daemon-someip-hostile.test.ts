/**
 * Hostile SOME/IP input against the running daemon over loopback UDP: a forged Subscribe that names
 * a third party's endpoint (reflection) and a TP flood; both are refused, counted in /metrics and
 * seen by /health, while a legitimate subscriber keeps getting its events.
 */
import dgram from 'node:dgram';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageType, SD_TTL_INFINITE, SdEntryType, buildSdPayload, encodeMessage, encodeSdMessage, makeMessage } from '../../../bus/someip/index.js';
import { runCli } from '../../../cli/main.js';
import type { Daemon } from '../../../runtime/daemon.js';
import type { HealthReport } from '../../../runtime/observe/index.js';
import type { DomainDefinition } from '../../../runtime/service/domain.js';
import { DOMAINS } from '../../../domains/index.js';
import { testDomain, type TestResult } from '../engine/fixture.js';
import { startSomeipDaemon, type SomeipDaemon } from './daemon-fixture.js';

const adasShaped: DomainDefinition<TestResult, { speed: number }> = {
  ...testDomain,
  someip: DOMAINS.adas.someip,
  toJson: (r) => ({ level: r.score > 1 ? 2 : 0, probability: 0.5, ttc_s: r.score, target_id: 3, source: r.served }),
};

/** A UDP socket on a loopback address, collecting what it receives. */
async function udpSocket(address: string): Promise<{ socket: dgram.Socket; port: number; received: Buffer[] }> {
  const socket = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (b) => received.push(b));
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  return { socket, port: socket.address().port, received };
}

function send(socket: dgram.Socket, bytes: Uint8Array, to: { address: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => socket.send(bytes, to.port, to.address, (err) => (err ? reject(err) : resolve())));
}

async function metricValue(url: string, series: string): Promise<number> {
  const line = (await (await fetch(`${url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}

describe('the daemon under hostile SOME/IP input', () => {
  let daemon: Daemon;
  let running: SomeipDaemon | undefined;

  beforeAll(async () => {
    running = await startSomeipDaemon(adasShaped as unknown as DomainDefinition, true);
    daemon = running.daemon;
  });

  afterAll(async () => {
    await running?.close();
  });

  it('sends no event to a third party named by a forged Subscribe, while a real subscriber gets them', async () => {
    const sd = daemon.someip!.sdAddress;
    const url = daemon.http!.url;
    // 127.0.0.2 is loopback too, but not the attacker's source address: a victim elsewhere.
    const victim = await udpSocket('127.0.0.2');
    const attacker = await udpSocket('127.0.0.1');
    try {
      const adas = DOMAINS.adas.someip;
      const forged = buildSdPayload({ reboot: false, unicast: true }, [
        {
          type: SdEntryType.SUBSCRIBE_EVENTGROUP,
          serviceId: adas.serviceId,
          instanceId: adas.instanceId,
          majorVersion: 1,
          ttl: SD_TTL_INFINITE,
          eventgroupId: adas.eventgroupId,
          counter: 0,
          initialDataRequested: true,
          options: [{ type: 'ipv4-endpoint', address: '127.0.0.2', protocol: 'udp', port: victim.port }],
        },
      ]);
      for (let session = 1; session <= 3; session++) await send(attacker.socket, encodeSdMessage(session, forged), sd);
      const stdout = new PassThrough();
      let out = '';
      stdout.on('data', (c: Buffer) => (out += c.toString()));
      const code = await runCli(['someip', 'subscribe', 'adas', '1', '--count', '3', '--timeout', '10', '--sd', `${sd.address}:${sd.port}`], { stdout, stderr: new PassThrough(), cwd: process.cwd() });
      expect(code).toBe(0);
      expect(out.trim().split('\n')).toHaveLength(3);
      // The subscriber got its events meanwhile; give a reflected event time to arrive, too.
      await new Promise((r) => setTimeout(r, 1500));
      expect(victim.received).toHaveLength(0);
      expect(daemon.someip!.subscribers('adas')).toBeLessThanOrEqual(1);
      expect(await metricValue(url, 'ecu_ai_someip_foreign_subscriptions_total')).toBe(3);
    } finally {
      victim.socket.close();
      attacker.socket.close();
    }
  });

  it('refuses a TP flood within its limits, counts it in /metrics and reports it in /health', async () => {
    const url = daemon.http!.url;
    const target = daemon.someip!.serviceAddress;
    const attacker = await udpSocket('127.0.0.1');
    try {
      // Each is the last segment of a 1 MiB message and claims its buffer: 3 fit in the 4 MiB budget, the rest push out the oldest.
      for (let session = 1; session <= 20; session++) {
        const tail = makeMessage({ serviceId: DOMAINS.adas.someip.serviceId, methodId: 1, sessionId: session, messageType: MessageType.REQUEST, payload: new Uint8Array(16) });
        await send(attacker.socket, encodeMessage({ ...tail, tp: { offset: (1 << 20) - 16, more: false } }), target);
      }
      await send(attacker.socket, Uint8Array.of(1, 2, 3), target);
      const deadline = Date.now() + 5000;
      while ((await metricValue(url, 'ecu_ai_someip_tp_dropped_total{reason="byteLimit"}')) < 17 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await metricValue(url, 'ecu_ai_someip_tp_dropped_total{reason="byteLimit"}')).toBe(17);
      expect(await metricValue(url, 'ecu_ai_someip_malformed_datagrams_total')).toBe(1);
      const health = (await (await fetch(`${url}/health`)).json()) as HealthReport;
      expect(health.components['someip']?.degraded).toBe(true);
      expect(health.components['someip']?.detail).toMatch(/byteLimit 17/);
      expect(health.status).not.toBe('ok');
    } finally {
      attacker.socket.close();
    }
  });
});
