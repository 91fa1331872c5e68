/**
 * The observability endpoint: `GET /metrics` (Prometheus text 0.0.4) and `GET /health` (JSON;
 * 200 when the status is `ok`, 503 when `degraded` or `down`: a probe that only reads the code must
 * not take a degraded vehicle function for a healthy one; the body tells ready from not). Binds
 * loopback by default: exposing it beyond the ECU is a deliberate configuration choice, never an
 * accident.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import type { HealthReport } from './health.js';
import { PROMETHEUS_CONTENT_TYPE } from './metrics.js';

export const DEFAULT_HTTP_HOST = '127.0.0.1';
export const DEFAULT_HTTP_PORT = 9780;

export interface ObserveServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 9780; 0 picks a free port (tests). */
  readonly port?: number;
  /** Renders the metrics text (e.g. `() => registry.render()`). */
  readonly metrics: () => string;
  /** The current health (e.g. `() => health.report(clock.now())`). */
  readonly health: () => HealthReport;
  readonly logger?: Logger;
  /** How long close() waits for in-flight requests before cutting connections. Default 2000 ms. */
  readonly closeTimeoutMs?: number;
}

export interface ObserveServer {
  readonly host: string;
  readonly port: number;
  /** Base URL, e.g. `http://127.0.0.1:9780`. */
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), then resolves. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the server and resolves once it listens.
 * @throws {Error} with code EADDRINUSE / EACCES when the address cannot be bound.
 */
export async function startObserveServer(options: ObserveServerOptions): Promise<ObserveServer> {
  const host = options.host ?? DEFAULT_HTTP_HOST;
  const log = options.logger;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => handle(req, res, options, log));
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_HTTP_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log?.info({ host, port }, 'observability endpoint listening');
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), options.closeTimeoutMs ?? 2000);
        server.close(() => {
          clearTimeout(timer);
          log?.info({ host, port }, 'observability endpoint closed');
          resolve();
        });
        // Keep-alive sockets with no request in flight would hold close() open until they time out.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

function handle(req: IncomingMessage, res: ServerResponse, options: ObserveServerOptions, log: Logger | undefined): void {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, req, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
    return;
  }
  try {
    if (path === '/metrics') {
      send(res, req, 200, PROMETHEUS_CONTENT_TYPE, options.metrics());
    } else if (path === '/health') {
      const report = options.health();
      send(res, req, report.status === 'ok' ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify(report) + '\n');
    } else {
      send(res, req, 404, 'text/plain; charset=utf-8', 'not found: try /metrics or /health\n');
    }
  } catch (err) {
    log?.error({ err, path }, 'observability request failed');
    send(res, req, 500, 'text/plain; charset=utf-8', 'internal error\n');
  }
}

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': bytes.length, 'Cache-Control': 'no-store', ...extra });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
