/**
 * A cloud inference worker. N workers share one MQTT 5 shared subscription, so the broker spreads
 * requests across them; each answer goes to the request's response topic with its correlation data.
 * Requests that are malformed, oversized or already past their deadline are counted and dropped:
 * nothing a vehicle sends can stop the worker.
 */
import type { IClientOptions, MqttClient } from 'mqtt';
import { connectGuardedAsync, DEFAULT_MAX_PACKET_BYTES } from '../wire/guarded-client.js';
import { CloudError } from '../wire/errors.js';
import { decodeInferenceRequest, encodeInferenceResponse, type InferenceRequest } from '../wire/messages.js';
import { noDelay } from '../wire/no-delay.js';
import { isTopicLevel, parseVehicleTopic, vehicleTopics, workerRequestFilter } from '../wire/topics.js';
import type { ModelRunner } from './model-runner.js';

export interface WorkerOptions {
  readonly url: string;
  readonly id: string;
  readonly runner: ModelRunner;
  /** 5 (default) uses the shared subscription; 4 (aedes) a plain one. */
  readonly protocolVersion?: 4 | 5;
  readonly username?: string;
  readonly password?: string;
  /** Skip requests whose absolute deadline passed before work starts (default true). */
  readonly dropExpired?: boolean;
  /** Largest packet taken from the broker, bytes; default 1 MiB + 4 KiB (a request's limit). */
  readonly maxPacketBytes?: number;
}

export interface WorkerStats {
  served: number;
  failed: number;
  rejected: number;
  expired: number;
  /** Requests whose reply topic is not their own vehicle's response topic: not answered. */
  misdirected: number;
  /** Requests over `maxPacketBytes` dropped as they arrived, before being buffered. */
  oversize: number;
}

export class InferenceWorker {
  readonly id: string;
  readonly stats: WorkerStats = { served: 0, failed: 0, rejected: 0, expired: 0, misdirected: 0, oversize: 0 };
  readonly #client: MqttClient;
  readonly #opts: WorkerOptions;
  /** Oversized requests dropped on the socket whose empty stand-in has not arrived yet. */
  #emptied = 0;

  private constructor(opts: WorkerOptions, client: MqttClient) {
    this.id = opts.id;
    this.#opts = opts;
    this.#client = client;
    client.on('message', (topic, payload, packet) => {
      // One bad message is counted and dropped; nothing a client publishes may end the worker.
      this.#handle(topic, payload, packet.properties?.responseTopic, packet.properties?.correlationData).catch(() => {
        this.stats.rejected++;
      });
    });
  }

  /**
   * Connects and subscribes; resolves once the subscription is granted.
   * @throws {Error} when the broker refuses the connection or the subscription
   */
  static async start(opts: WorkerOptions): Promise<InferenceWorker> {
    const v5 = (opts.protocolVersion ?? 5) === 5;
    const options: IClientOptions = {
      clientId: `ecu-ai-worker-${opts.id}`,
      protocolVersion: opts.protocolVersion ?? 5,
      clean: true,
      reconnectPeriod: 1000,
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
    };
    let worker: InferenceWorker | undefined;
    const client = await connectGuardedAsync(opts.url, options, {
      maxPacketBytes: opts.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES.worker,
      onDrop: () => {
        if (!worker) return;
        worker.stats.oversize++;
        worker.#emptied++;
      },
    });
    noDelay(client);
    client.on('connect', () => noDelay(client));
    worker = new InferenceWorker(opts, client);
    const granted = await client.subscribeAsync(workerRequestFilter(v5), { qos: 1 });
    if (granted.some((g) => g.qos > 2)) {
      await client.endAsync(true);
      throw new Error(`worker ${opts.id}: subscription refused by the broker`);
    }
    return worker;
  }

  async #handle(topic: string, payload: Buffer, responseTopic: string | undefined, correlation: Buffer | undefined): Promise<void> {
    // An oversized request arrives emptied by the packet guard, which counted it as oversize.
    if (payload.length === 0 && this.#emptied > 0) {
      this.#emptied--;
      return;
    }
    const parsed = parseVehicleTopic(topic);
    let req: InferenceRequest;
    try {
      if (!parsed || parsed.kind !== 'request') throw new CloudError('CLOUD_PAYLOAD', topic, 'not a request topic');
      req = decodeInferenceRequest(payload, { source: topic });
    } catch (err) {
      if (!(err instanceof CloudError)) throw err;
      this.stats.rejected++;
      return;
    }
    // A vehicle may only ask for answers on its own response topic: no reflecting traffic to others.
    const own = vehicleTopics(parsed.vehicleId).response;
    const replyTo = responseTopic ?? req.replyTo;
    if (replyTo !== own || req.vehicleId !== parsed.vehicleId || req.domain !== parsed.domain || !isTopicLevel(req.domain)) {
      this.stats.misdirected++;
      return;
    }
    if ((this.#opts.dropExpired ?? true) && req.deadlineUnixMs > 0 && Date.now() > req.deadlineUnixMs) {
      this.stats.expired++;
      return;
    }
    const started = performance.now();
    let body: Uint8Array;
    try {
      const outputs = await this.#opts.runner.run(req.model, req.variant, req.inputs);
      body = encodeInferenceResponse({ correlation: req.correlation, model: req.model, variant: req.variant, outputs, error: '', worker: this.id, computeMs: performance.now() - started });
      this.stats.served++;
    } catch (err) {
      this.stats.failed++;
      const error = (err instanceof Error ? err.message : String(err)).slice(0, 1000) || 'failed';
      body = encodeInferenceResponse({ correlation: req.correlation, model: req.model, variant: req.variant, outputs: [], error, worker: this.id, computeMs: performance.now() - started });
    }
    const v5 = (this.#opts.protocolVersion ?? 5) === 5;
    this.#client.publish(replyTo, Buffer.from(body), { qos: 1, ...(v5 ? { properties: { correlationData: correlation ?? Buffer.from(req.correlation) } } : {}) });
  }

  /** Disconnects cleanly. */
  async stop(): Promise<void> {
    await this.#client.endAsync();
  }

  /** Drops the connection at once, as a crashed worker would. */
  async kill(): Promise<void> {
    await this.#client.endAsync(true);
  }
}
