/**
 * The facade the scheduler's degradation ladder uses to run comfort services in the cloud.
 * `infer()` never throws for network reasons: it answers a result, `timedOut` or `unavailable`,
 * and the service falls back to local. `healthy()` is the ladder's `cloudAvailable()`.
 * Safety domains are refused with a typed error even if the ladder asks (defence in depth).
 */
import { RealClock, type Clock } from '../../clock.js';
import { CloudError } from '../../errors.js';
import { CircuitBreaker, type BreakerOptions, type BreakerState } from './circuit-breaker.js';
import type { CloudLink } from '../link/mqtt-link.js';
import type { Tensor, TensorData, TensorMap } from '../../../wire/tensor.js';

export interface CloudModelRef {
  readonly model: string;
  readonly variant: string;
}

/** The cloud carries float32 tensors only. */
export type Feeds = TensorMap<Float32Array>;

export type CloudResult =
  | { readonly status: 'ok'; readonly outputs: TensorMap<Float32Array>; readonly rttMs: number; readonly worker: string }
  | { readonly status: 'timedOut' }
  | { readonly status: 'unavailable'; readonly reason: string };

export interface CloudInferenceOptions {
  readonly link: CloudLink;
  /** Which cloud model serves each domain that may go to the cloud. */
  readonly models: Readonly<Record<string, CloudModelRef>>;
  /** The domains whose services never leave the vehicle (their resolved criticality is `safety`), whatever `models` says. */
  readonly safetyDomains?: ReadonlySet<string>;
  readonly clock?: Clock;
  readonly breaker?: BreakerOptions;
  /** Called for each request sent that got no answer within its deadline (the service fell back). */
  readonly onUnanswered?: (domain: string) => void;
}

export interface CloudInferenceStats {
  ok: number;
  timedOut: number;
  unavailable: number;
  /** Requests answered `unavailable` without any network traffic because the breaker was open. */
  failedFast: number;
}

export class CloudInference {
  readonly stats: CloudInferenceStats = { ok: 0, timedOut: 0, unavailable: 0, failedFast: 0 };
  /** Requests sent that got no answer within their deadline, per domain. */
  readonly unanswered = new Map<string, number>();
  readonly #onUnanswered: ((domain: string) => void) | undefined;
  readonly #link: CloudLink;
  readonly #models: Readonly<Record<string, CloudModelRef>>;
  readonly #breaker: CircuitBreaker;
  readonly #safety: ReadonlySet<string>;

  constructor(opts: CloudInferenceOptions) {
    this.#safety = opts.safetyDomains ?? new Set();
    this.#link = opts.link;
    this.#models = opts.models;
    this.#breaker = new CircuitBreaker(opts.clock ?? new RealClock(), opts.breaker);
    this.#onUnanswered = opts.onUnanswered;
  }

  /** The breaker's state, for health reports. */
  get breakerState(): BreakerState {
    return this.#breaker.state;
  }

  /**
   * True when a cloud request could be sent now: connected and the breaker not open (or due a probe).
   * Cheap and side-effect free, so the ladder may call it every tick.
   */
  healthy(): boolean {
    return this.#link.connected && this.#breaker.wouldAllow();
  }

  /**
   * Runs one inference of `domain` in the cloud within `deadlineMs`.
   * @throws {CloudError} CLOUD_UNAVAILABLE (rejects) for a safety domain or a domain with no cloud model
   * @throws {CloudError} CLOUD_PAYLOAD (rejects) when a feed's dims do not match its data
   */
  async infer(domain: string, feeds: Feeds, deadlineMs: number): Promise<CloudResult> {
    if (this.#safety.has(domain)) throw new CloudError('CLOUD_UNAVAILABLE', `domain ${domain}`, 'safety domains never run in the cloud');
    const ref = this.#models[domain];
    if (!ref) throw new CloudError('CLOUD_UNAVAILABLE', `domain ${domain}`, 'no cloud model is configured for it');
    const inputs: Tensor[] = Object.entries(feeds).map(([name, t]) => ({ name, dims: t.dims, data: t.data }));
    if (!this.#link.connected) return this.#unavailable('not connected');
    if (!this.#breaker.allow()) {
      this.stats.failedFast++;
      return this.#unavailable(`circuit ${this.#breaker.state}`);
    }
    const outcome = await this.#link.request({ domain, model: ref.model, variant: ref.variant, inputs }, deadlineMs);
    if (outcome.status === 'timedOut') {
      this.#breaker.failure();
      this.stats.timedOut++;
      this.unanswered.set(domain, (this.unanswered.get(domain) ?? 0) + 1);
      this.#onUnanswered?.(domain);
      return outcome;
    }
    if (outcome.status === 'unavailable') {
      this.#breaker.failure();
      return this.#unavailable(outcome.reason);
    }
    if (outcome.response.error !== '') {
      this.#breaker.failure();
      return this.#unavailable(`worker ${outcome.response.worker}: ${outcome.response.error}`);
    }
    this.#breaker.success();
    this.stats.ok++;
    const outputs: Record<string, TensorData<Float32Array>> = {};
    for (const t of outcome.response.outputs) outputs[t.name] = { dims: t.dims, data: t.data };
    return { status: 'ok', outputs, rttMs: outcome.rttMs, worker: outcome.response.worker };
  }

  #unavailable(reason: string): CloudResult {
    this.stats.unavailable++;
    return { status: 'unavailable', reason };
  }
}
