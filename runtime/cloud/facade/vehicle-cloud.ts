/**
 * The daemon's side of the vehicle–cloud link, from the `cloud` config section: the MQTT link, the
 * inference facade the degradation ladder may use, and the outbox with its forwarder and reporter.
 *
 * A broker that is down (or unknown, or refusing us) never stops the vehicle: `open()` does not wait
 * for the connection; the link reconnects with backoff, the outbox buffers on disk meanwhile, and
 * `cloudAvailable()` stays false until connected.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { CloudConfig } from '../../config.js';
import { ConfigInvalidError } from '../../errors.js';
import type { RemoteInference } from '../../service/runner.js';
import { CloudInference } from './cloud-inference.js';
import { CloudLink, type TlsOptions } from '../link/mqtt-link.js';
import { Outbox } from '../outbox/outbox.js';
import { OutboxForwarder } from '../outbox/outbox-forwarder.js';
import { VehicleReporter } from './reporter.js';
import { cloudDomainOptions, runnerCloud, type CloudDomain } from './runner-adapter.js';

export interface CloudAccess {
  readonly password?: string;
  readonly tls?: TlsOptions;
}

/**
 * Reads the secrets the config points at: the password (inline or from the environment variable
 * named by `password_env`) and the TLS PEM files (relative to `baseDir`).
 * @throws {ConfigInvalidError} naming `cloud.password_env` or `cloud.tls.*` when a variable is unset or a file unreadable
 */
export async function resolveCloudAccess(cfg: CloudConfig, baseDir: string, env: Readonly<Record<string, string | undefined>>): Promise<CloudAccess> {
  let password = cfg.password;
  if (cfg.password_env !== undefined) {
    password = env[cfg.password_env];
    if (password === undefined) throw new ConfigInvalidError('cloud', [{ path: 'cloud.password_env', message: `environment variable ${cfg.password_env} is not set` }]);
  }
  let tls: TlsOptions | undefined;
  if (cfg.tls) {
    const read = async (key: 'ca' | 'cert' | 'key'): Promise<Buffer | undefined> => {
      const p = cfg.tls?.[key];
      if (p === undefined) return undefined;
      const file = path.resolve(baseDir, p);
      try {
        return await readFile(file);
      } catch (err) {
        throw new ConfigInvalidError('cloud', [{ path: `cloud.tls.${key}`, message: `cannot read ${file}: ${(err as Error).message}` }]);
      }
    };
    const [ca, cert, key] = [await read('ca'), await read('cert'), await read('key')];
    tls = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  }
  return { ...(password !== undefined ? { password } : {}), ...(tls ? { tls } : {}) };
}

export interface VehicleCloudOptions {
  readonly config: CloudConfig;
  readonly vehicleId: string;
  /** The domains served (resolved specs); the comfort ones get a cloud model, the safety ones are refused. */
  readonly domains: readonly CloudDomain[];
  /** Absolute outbox folder. */
  readonly outboxDir: string;
  readonly access?: CloudAccess;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Called for each cloud request that got no answer within its deadline, with its domain. */
  readonly onUnanswered?: (domain: string) => void;
}

export class VehicleCloud {
  readonly link: CloudLink;
  readonly facade: CloudInference;
  /** What the engine calls; its `healthy()` is the ladder's `cloudAvailable()`. */
  readonly runner: RemoteInference;
  readonly outbox: Outbox;
  readonly forwarder: OutboxForwarder;
  readonly reporter: VehicleReporter;
  readonly brokerUrl: string;
  readonly #off: () => void;
  #closing: Promise<void> | undefined;

  private constructor(o: VehicleCloudOptions, outbox: Outbox) {
    const cfg = o.config;
    this.brokerUrl = cfg.broker;
    this.outbox = outbox;
    this.link = CloudLink.connect({
      url: cfg.broker,
      vehicleId: o.vehicleId,
      protocolVersion: cfg.protocol,
      maxPacketBytes: cfg.max_packet_bytes,
      ...(cfg.username !== undefined ? { username: cfg.username } : {}),
      ...(o.access?.password !== undefined ? { password: o.access.password } : {}),
      ...(o.access?.tls ? { tls: o.access.tls } : {}),
      backoff: { maxMs: cfg.reconnect_max_s * 1000, initialMs: Math.min(250, cfg.reconnect_max_s * 1000) },
      ...(o.clock ? { clock: o.clock } : {}),
    });
    const log = o.logger;
    // Each failed reconnect reports "down" again; only a change of state is worth a log line.
    let wasUp: boolean | undefined;
    this.#off = this.link.onConnectionChange((up) => {
      if (up === wasUp) return;
      wasUp = up;
      if (up) log?.info({ broker: cfg.broker, mqtt: this.link.protocolVersion === 5 ? '5' : '3.1.1' }, 'cloud connected');
      else log?.warn({ broker: cfg.broker, err: this.link.lastError?.message }, 'cloud unreachable; reports wait in the outbox');
    });
    this.facade = new CloudInference({ link: this.link, ...cloudDomainOptions(o.domains), ...(o.clock ? { clock: o.clock } : {}), ...(o.onUnanswered ? { onUnanswered: o.onUnanswered } : {}) });
    this.runner = runnerCloud(this.facade);
    this.forwarder = new OutboxForwarder(outbox, this.link, {
      confirm: o.config.delivery,
      receiptTimeoutMs: o.config.receipt_timeout_s * 1000,
      ...(o.clock ? { clock: o.clock } : {}),
    });
    this.reporter = new VehicleReporter(outbox, o.vehicleId);
    this.forwarder.start();
  }

  /**
   * Opens the outbox and starts connecting (without waiting for the broker).
   * @throws {CloudError} CLOUD_PAYLOAD when the vehicle id cannot be a topic level or the outbox holds another program's file
   * @throws {Error} file-system errors of the outbox folder as node raises them
   */
  static async open(o: VehicleCloudOptions): Promise<VehicleCloud> {
    const outbox = await Outbox.open(o.outboxDir, { maxBytes: Math.round(o.config.outbox_max_mb * 1024 * 1024) });
    try {
      return new VehicleCloud(o, outbox);
    } catch (err) {
      await outbox.close();
      throw err;
    }
  }

  get connected(): boolean {
    return this.link.connected;
  }

  /** The `/health` component: always ready (the vehicle works without the cloud), degraded while unreachable. */
  health(): { ready: true; degraded: boolean; detail: string } {
    const box = `outbox ${this.outbox.size} records, ${this.outbox.bytes} bytes`;
    if (this.link.connected) return { ready: true, degraded: false, detail: `connected to ${this.brokerUrl}; ${box}` };
    const why = this.link.lastError?.message;
    return { ready: true, degraded: true, detail: `unreachable ${this.brokerUrl}${why ? ` (${why})` : ''}; ${box} buffered` };
  }

  /**
   * Waits up to `drainMs` for the outbox to drain when connected, then stops the forwarder, closes
   * the outbox (flushed to disk) and the link. What was not delivered stays on disk for next time.
   * Idempotent.
   */
  close(drainMs = 2000): Promise<void> {
    this.#closing ??= (async () => {
      if (this.link.connected && drainMs > 0) await this.forwarder.drained(drainMs);
      this.forwarder.stop();
      this.#off();
      await this.outbox.close();
      await this.link.close();
    })();
    return this.#closing;
  }
}
