import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthModel, MetricsRegistry, startObserveServer, type ObserveServer } from '../../../runtime/observe/index.js';
import { parsePromText } from './prom-text.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function fetchText(url: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, timeout: 5000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startObserveServer on 127.0.0.1', () => {
  let server: ObserveServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  function setup(): { reg: MetricsRegistry; health: HealthModel } {
    const reg = new MetricsRegistry();
    reg.counter('ecu_ai_frames_received_total', 'Frames.', ['channel']).inc(7, { channel: 'can0' });
    const health = new HealthModel();
    return { reg, health };
  }

  it('serves /metrics in the Prometheus text format with its content type', async () => {
    const { reg, health } = setup();
    server = await startObserveServer({ port: 0, metrics: () => reg.render(), health: () => health.report(0) });
    expect(server.host).toBe('127.0.0.1');
    const r = await fetchText(`${server.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(parsePromText(r.body).get('ecu_ai_frames_received_total')?.samples[0]?.value).toBe(7);
  });

  it('serves /health as JSON with 200 when ready and 503 when not', async () => {
    const { reg, health } = setup();
    health.setDomain('adas', { state: 'starting' });
    server = await startObserveServer({ port: 0, metrics: () => reg.render(), health: () => health.report(1) });
    const down = await fetchText(`${server.url}/health`);
    expect(down.status).toBe(503);
    expect(down.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(down.body)).toMatchObject({ status: 'down', ready: false, domains: { adas: { state: 'starting' } } });
    health.setDomain('adas', { state: 'running' });
    const up = await fetchText(`${server.url}/health?verbose=1`);
    expect(up.status).toBe(200);
    expect(JSON.parse(up.body)).toMatchObject({ status: 'ok', ready: true });
  });

  it('answers 503 while degraded, even though ready', async () => {
    const { reg, health } = setup();
    health.setDomain('adas', { state: 'fallback' });
    server = await startObserveServer({ port: 0, metrics: () => reg.render(), health: () => health.report(1) });
    const r = await fetchText(`${server.url}/health`);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({ status: 'degraded', ready: true, domains: { adas: { reasons: ['answering from its rule-based fallback'] } } });
  });

  it('answers 404 for other paths, 405 for other methods and HEAD without a body', async () => {
    const { reg, health } = setup();
    server = await startObserveServer({ port: 0, metrics: () => reg.render(), health: () => health.report(0) });
    expect((await fetchText(`${server.url}/nope`)).status).toBe(404);
    const post = await fetchText(`${server.url}/metrics`, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await fetchText(`${server.url}/metrics`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('answers 500 when rendering fails and keeps serving', async () => {
    const { health } = setup();
    let fail = true;
    server = await startObserveServer({
      port: 0,
      metrics: () => {
        if (fail) throw new Error('collector broke');
        return '';
      },
      health: () => health.report(0),
    });
    expect((await fetchText(`${server.url}/metrics`)).status).toBe(500);
    fail = false;
    expect((await fetchText(`${server.url}/metrics`)).status).toBe(200);
  });

  it('closes gracefully and idempotently, after which the port refuses connections', async () => {
    const { reg, health } = setup();
    const s = await startObserveServer({ port: 0, metrics: () => reg.render(), health: () => health.report(0) });
    await fetchText(`${s.url}/metrics`);
    await Promise.all([s.close(), s.close()]);
    await expect(fetchText(`${s.url}/metrics`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('rejects when the port is taken', async () => {
    const { reg, health } = setup();
    server = await startObserveServer({ port: 0, metrics: () => reg.render(), health: () => health.report(0) });
    await expect(startObserveServer({ port: server.port, metrics: () => '', health: () => health.report(0) })).rejects.toThrow(/EADDRINUSE/);
  });
});
