/**
 * The vehicle's MQTT connection: request/response inference with deadlines, QoS 1 publishing for
 * the outbox, a persistent session, a retained online/offline status (LWT), and reconnects with
 * exponential backoff and jitter driven by an injected Clock and random source.
 *
 * Works with MQTT 5 (response topic and correlation data as properties) and with MQTT 3.1.1
 * brokers such as the embedded one (the same fields travel inside the request payload). A link
 * asked for MQTT 5 that a broker refuses for its protocol version reconnects at once as 3.1.1:
 * it then loses only the session expiry (a 3.1.1 broker keeps the session as long as it likes).
 */
import { randomBytes } from 'node:crypto';
import type { IClientOptions, MqttClient } from 'mqtt';
import { RealClock, type Clock } from '../../clock.js';
import { CloudError } from '../../errors.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { connectGuarded, DEFAULT_MAX_PACKET_BYTES } from '../../../wire/guarded-client.js';
import { noDelay } from '../../../wire/no-delay.js';
import { decodeDeliveryReceipt, decodeInferenceResponse, decodeModelCampaign, encodeInferenceRequest, type InferenceResponse, type ModelCampaign, type Tensor } from '../../../wire/messages.js';
import { vehicleTopics, type VehicleTopics } from '../../../wire/topics.js';

export interface TlsOptions {
  /** PEM of the CA that signed the broker's certificate. */
  readonly ca?: string | Buffer;
  /** PEM client certificate and key, for brokers that authenticate vehicles by certificate. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly rejectUnauthorized?: boolean;
  readonly servername?: string;
}

export interface CloudLinkOptions {
  /** `mqtt://host:port` or `mqtts://host:port`. */
  readonly url: string;
  readonly vehicleId: string;
  /** Stable across restarts so the broker resumes the session; default `ecu-ai-{vehicleId}`. */
  readonly clientId?: string;
  /** 5 (default) or 4 for MQTT 3.1.1 brokers. */
  readonly protocolVersion?: 4 | 5;
  /** With 5: fall back to 3.1.1 when the broker refuses MQTT 5 (default true). */
  readonly protocolFallback?: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: TlsOptions;
  /** How long the broker keeps the session (subscriptions, queued QoS 1) while offline; default 1 h. */
  readonly sessionExpirySec?: number;
  readonly keepaliveSec?: number;
  readonly connectTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  readonly clock?: Clock;
  /** Called with each valid campaign received on `ota/campaign`. */
  readonly onCampaign?: (campaign: ModelCampaign) => void;
  /**
   * Largest packet taken from the broker, bytes; default 1 MiB + 4 KiB (the largest inference
   * answer a vehicle decodes). Announced in MQTT 5 CONNECT, and bigger ones are dropped on the
   * socket before they are buffered (counted in `oversizeDropped`).
   */
  readonly maxPacketBytes?: number;
}

export interface LinkStats {
  requests: number;
  responses: number;
  timeouts: number;
  /** Answers that arrived after their request's deadline: dropped. */
  lateResponses: number;
  /** Answers to no request this link knows. */
  unknownResponses: number;
  rejectedPayloads: number;
  /** Messages over `maxPacketBytes` dropped as they arrived (an MQTT 5 broker drops them itself, unseen). */
  oversizeDropped: number;
  connects: number;
  disconnects: number;
}

export type RequestOutcome =
  | { readonly status: 'ok'; readonly response: InferenceResponse; readonly rttMs: number }
  | { readonly status: 'timedOut' }
  | { readonly status: 'unavailable'; readonly reason: string };

interface Pending {
  readonly startedAt: number;
  readonly abort: AbortController;
  resolve(o: RequestOutcome): void;
}

const LATE_MEMORY = 1024;

/** CONNACK codes of a broker that does not speak the asked protocol version (3.1.1's 1, MQTT 5's 0x84). */
const UNSUPPORTED_VERSION: ReadonlySet<unknown> = new Set([1, 0x84]);

function toBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export class CloudLink {
  readonly topics: VehicleTopics;
  readonly stats: LinkStats = { requests: 0, responses: 0, timeouts: 0, lateResponses: 0, unknownResponses: 0, rejectedPayloads: 0, oversizeDropped: 0, connects: 0, disconnects: 0 };
  readonly #opts: CloudLinkOptions;
  readonly #client: MqttClient;
  readonly #clock: Clock;
  readonly #backoff: Backoff;
  readonly #pending = new Map<string, Pending>();
  readonly #expired = new Set<string>();
  readonly #listeners = new Set<(connected: boolean) => void>();
  readonly #receiptListeners = new Set<(recordIds: readonly string[]) => void>();
  readonly #nonce = randomBytes(4);
  #counter = 0;
  #closing = false;
  #reconnectTimer: AbortController | undefined;
  #lastError: Error | undefined;
  #version: 4 | 5;
  #reconnectAtOnce = false;
  /** Oversized messages dropped on the socket whose empty stand-in has not arrived yet. */
  #emptied = 0;

  private constructor(opts: CloudLinkOptions) {
    this.#opts = opts;
    this.#version = opts.protocolVersion ?? 5;
    this.topics = vehicleTopics(opts.vehicleId);
    this.#clock = opts.clock ?? new RealClock();
    this.#backoff = new Backoff(opts.backoff, opts.random);
    this.#client = connectGuarded(opts.url, this.#clientOptions(), {
      maxPacketBytes: opts.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES.vehicle,
      onDrop: () => {
        this.stats.oversizeDropped++;
        this.#emptied++;
      },
    });
    this.#client.on('connect', () => this.#onConnect());
    this.#client.on('close', () => this.#onClose());
    // mqtt.js emits connection and protocol errors here; they end in 'close', which reconnects.
    this.#client.on('error', (err) => this.#onError(err));
    this.#client.on('message', (topic, payload) => this.#onMessage(topic, payload));
  }

  /**
   * Starts connecting and returns at once; the link reconnects on its own until `close()`.
   * @throws {CloudError} CLOUD_PAYLOAD when the vehicle id cannot be a topic level
   */
  static connect(opts: CloudLinkOptions): CloudLink {
    return new CloudLink(opts);
  }

  #clientOptions(): IClientOptions {
    const o = this.#opts;
    const v5 = this.#version === 5;
    return {
      clientId: o.clientId ?? `ecu-ai-${o.vehicleId}`,
      protocolVersion: this.#version,
      clean: false,
      // Reconnects are ours (backoff with jitter on the injected clock), not mqtt.js's fixed period.
      reconnectPeriod: 0,
      keepalive: o.keepaliveSec ?? 15,
      connectTimeout: o.connectTimeoutMs ?? 5000,
      ...(v5 ? { properties: { sessionExpiryInterval: o.sessionExpirySec ?? 3600 } } : {}),
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.tls?.ca !== undefined ? { ca: o.tls.ca } : {}),
      ...(o.tls?.cert !== undefined ? { cert: o.tls.cert } : {}),
      ...(o.tls?.key !== undefined ? { key: o.tls.key } : {}),
      ...(o.tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.tls.rejectUnauthorized } : {}),
      ...(o.tls?.servername !== undefined ? { servername: o.tls.servername } : {}),
      will: { topic: this.topics.status, payload: Buffer.from('offline'), qos: 1, retain: true },
    };
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  /** The MQTT version in use: the one asked for, or 4 after a broker refused 5. */
  get protocolVersion(): 4 | 5 {
    return this.#version;
  }

  #onError(err: Error): void {
    const code = (err as { code?: unknown }).code;
    if (this.#version === 5 && (this.#opts.protocolFallback ?? true) && UNSUPPORTED_VERSION.has(code)) {
      this.#version = 4;
      // mqtt.js builds each CONNECT from these options: the next one is a plain 3.1.1 CONNECT.
      this.#client.options.protocolVersion = 4;
      delete this.#client.options.properties;
      this.#reconnectAtOnce = true;
      this.#lastError = new CloudError('CLOUD_UNAVAILABLE', this.#opts.url, `the broker refused MQTT 5 (${err.message}); reconnecting with MQTT 3.1.1`, { cause: err });
      return;
    }
    this.#lastError = err;
  }

  /** The last connection or protocol error mqtt.js reported (bad credentials, refused connection). */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** Calls `fn(connected)` on every connect and disconnect. Returns an unsubscribe. */
  onConnectionChange(fn: (connected: boolean) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Resolves true once connected, false if `timeoutMs` passes first. */
  async waitConnected(timeoutMs: number): Promise<boolean> {
    if (this.connected) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(false);
      }, timeoutMs);
      const off = this.onConnectionChange((up) => {
        if (!up) return;
        clearTimeout(timer);
        off();
        resolve(true);
      });
    });
  }

  #onConnect(): void {
    // A connack can arrive after close() began; the client's stores are gone by then.
    if (this.#closing) return;
    this.stats.connects++;
    this.#backoff.reset();
    noDelay(this.#client);
    // Receipts only for a vehicle that waits for them: others would pay for them on their data link.
    this.#client.subscribe([this.topics.response, this.topics.campaign, ...(this.#receiptListeners.size > 0 ? [this.topics.receipts] : [])], { qos: 1 });
    this.#client.publish(this.topics.status, 'online', { qos: 1, retain: true });
    for (const fn of this.#listeners) fn(true);
  }

  #onClose(): void {
    this.stats.disconnects++;
    for (const fn of this.#listeners) fn(false);
    if (this.#closing || this.#reconnectTimer) return;
    const ctl = new AbortController();
    this.#reconnectTimer = ctl;
    const delayMs = this.#reconnectAtOnce ? 0 : this.#backoff.next();
    this.#reconnectAtOnce = false;
    this.#clock.sleepUntil(this.#clock.now() + delayMs / 1000, ctl.signal).then(
      () => {
        this.#reconnectTimer = undefined;
        if (!this.#closing && !this.#client.connected) this.#client.reconnect();
      },
      () => undefined,
    );
  }

  #onMessage(topic: string, payload: Buffer): void {
    // What an oversized message becomes on the socket (counted there as oversize).
    if (payload.length === 0 && this.#emptied > 0) {
      this.#emptied--;
      return;
    }
    if (topic === this.topics.response) {
      this.#onResponse(payload);
    } else if (topic === this.topics.receipts) {
      this.#onReceipt(topic, payload);
    } else if (topic === this.topics.campaign) {
      try {
        const c = decodeModelCampaign(payload, { source: topic });
        this.#opts.onCampaign?.(c);
      } catch (err) {
        if (!(err instanceof CloudError)) throw err;
        this.stats.rejectedPayloads++;
      }
    }
  }

  #onReceipt(topic: string, payload: Buffer): void {
    let ids: readonly string[];
    try {
      const r = decodeDeliveryReceipt(payload, { source: topic });
      if (r.vehicleId !== this.#opts.vehicleId) throw new CloudError('CLOUD_PAYLOAD', topic, `receipt for vehicle ${r.vehicleId}`);
      ids = r.recordIds;
    } catch (err) {
      if (!(err instanceof CloudError)) throw err;
      this.stats.rejectedPayloads++;
      return;
    }
    for (const fn of this.#receiptListeners) fn(ids);
  }

  /** Calls `fn` with the record IDs of every delivery receipt from ingest. Returns an unsubscribe. */
  onReceipt(fn: (recordIds: readonly string[]) => void): () => void {
    if (this.#receiptListeners.size === 0 && this.#client.connected) this.#client.subscribe(this.topics.receipts, { qos: 1 });
    this.#receiptListeners.add(fn);
    return () => this.#receiptListeners.delete(fn);
  }

  #onResponse(payload: Buffer): void {
    let resp: InferenceResponse;
    try {
      resp = decodeInferenceResponse(payload, { source: this.topics.response });
    } catch (err) {
      if (!(err instanceof CloudError)) throw err;
      this.stats.rejectedPayloads++;
      return;
    }
    const key = Buffer.from(resp.correlation).toString('hex');
    const p = this.#pending.get(key);
    if (!p) {
      if (this.#expired.delete(key)) this.stats.lateResponses++;
      else this.stats.unknownResponses++;
      return;
    }
    this.#pending.delete(key);
    p.abort.abort();
    this.stats.responses++;
    p.resolve({ status: 'ok', response: resp, rttMs: (this.#clock.now() - p.startedAt) * 1000 });
  }

  /**
   * Sends an inference request and waits at most `deadlineMs` for its answer. Never rejects for
   * network reasons: a disconnected link answers `unavailable` at once, a missed deadline `timedOut`.
   * @throws {CloudError} CLOUD_PAYLOAD when a tensor's dims do not match its data, or the domain cannot be a topic level
   */
  request(req: { domain: string; model: string; variant: string; inputs: readonly Tensor[] }, deadlineMs: number): Promise<RequestOutcome> {
    const topic = this.topics.request(req.domain);
    const correlation = Buffer.alloc(8);
    this.#nonce.copy(correlation, 0);
    correlation.writeUInt32BE(this.#counter++ >>> 0, 4);
    const now = Date.now();
    const payload = encodeInferenceRequest({
      ...req,
      vehicleId: this.#opts.vehicleId,
      deadlineMs: Math.max(1, Math.round(deadlineMs)),
      deadlineUnixMs: now + deadlineMs,
      correlation,
      replyTo: this.topics.response,
      sentUnixMs: now,
    });
    if (!this.#client.connected) return Promise.resolve({ status: 'unavailable', reason: 'not connected' });
    this.stats.requests++;
    const key = correlation.toString('hex');
    const startedAt = this.#clock.now();
    return new Promise<RequestOutcome>((resolve) => {
      const abort = new AbortController();
      this.#pending.set(key, { startedAt, abort, resolve });
      this.#clock.sleepUntil(startedAt + deadlineMs / 1000, abort.signal).then(
        () => {
          if (!this.#pending.delete(key)) return;
          this.stats.timeouts++;
          this.#rememberExpired(key);
          resolve({ status: 'timedOut' });
        },
        () => undefined,
      );
      const v5 = this.#version === 5;
      this.#client.publish(topic, toBuffer(payload), { qos: 1, ...(v5 ? { properties: { responseTopic: this.topics.response, correlationData: correlation } } : {}) });
    });
  }

  #rememberExpired(key: string): void {
    this.#expired.add(key);
    if (this.#expired.size > LATE_MEMORY) {
      const oldest = this.#expired.values().next();
      if (!oldest.done) this.#expired.delete(oldest.value);
    }
  }

  /**
   * Publishes with QoS 1 (by default) and resolves on PUBACK. While offline mqtt.js keeps the packet
   * and sends it after reconnecting; the promise rejects only when the link is closed.
   * @throws {CloudError} CLOUD_UNAVAILABLE when the link closes before the broker acknowledged
   */
  publish(topic: string, payload: Uint8Array, opts: { qos?: 0 | 1; retain?: boolean } = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#client.publish(topic, toBuffer(payload), { qos: opts.qos ?? 1, retain: opts.retain ?? false }, (err) => {
        if (err) reject(new CloudError('CLOUD_UNAVAILABLE', topic, `publish failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  /** Requests still waiting for an answer. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /**
   * Closes the connection. With `graceful`, says "offline" first and disconnects cleanly (no LWT);
   * otherwise drops the socket as a crash would. Pending requests resolve `unavailable`.
   */
  async close(graceful = true): Promise<void> {
    this.#closing = true;
    this.#reconnectTimer?.abort();
    for (const [key, p] of this.#pending) {
      this.#pending.delete(key);
      p.abort.abort();
      p.resolve({ status: 'unavailable', reason: 'link closed' });
    }
    if (graceful && this.#client.connected) {
      await new Promise<void>((resolve) => this.#client.publish(this.topics.status, 'offline', { qos: 1, retain: true }, () => resolve()));
    }
    await new Promise<void>((resolve) => this.#client.end(!graceful, () => resolve()));
  }
}
