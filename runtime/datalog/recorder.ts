/**
 * Trigger-based capture: raw frames flow through a bounded ring; when a trigger fires on a result
 * or a ladder event, the recorder takes the ring's last `preS` seconds, keeps collecting for
 * `postS` seconds, and hands the finished snippet (frames, signal values at the trigger, the
 * triggering result) to a sink: the outbox in the daemon, a folder in replay.
 *
 * Everything is driven by the times it is given (the engine's clock), never by a timer of its own,
 * so a replay produces the same snippets every time. A capture ends at the first frame after its
 * window, at `advance(t)` past it, or at `finish()`.
 */
import type { CanFrame } from '../../bus/frame.js';
import type { SignalSample, SnippetFrame } from '../../wire/messages.js';
import type { LadderEvent } from '../scheduler/degradation.js';
import type { ServiceResult } from '../service/runner.js';
import { FrameRing, type RingEntry } from './frame-ring.js';
import type { SnippetTrigger, TriggerHit } from './triggers.js';

/** Seconds a result may arrive after its own time (real-time inference latency) and still see its post frames. */
const LATE_S = 1;

/** Outbox priorities of snippets: safety triggers above ordinary ones (telemetry 10, update status 200). */
export const SNIPPET_PRIORITY = { safety: 120, other: 50 } as const;

/** A captured frame; `t` in seconds on the Unix time base (`toUnixMs(t) / 1000`). */
export type CapturedFrame = SnippetFrame;
/** A signal value at the trigger; `t` (its arrival) on the Unix time base, in seconds. */
export type CapturedSignal = SignalSample;

/** A finished snippet, before it becomes a record. */
export interface SnippetCapture {
  /** Emission order, from 1: stable across identical replays. */
  readonly seq: number;
  readonly trigger: string;
  readonly domain: string;
  readonly safety: boolean;
  readonly priority: number;
  readonly detail: string;
  /** Trigger time on the engine's clock, and on the Unix base in ms. */
  readonly t: number;
  readonly tUnixMs: number;
  readonly preS: number;
  /** The post window actually covered (shorter when the recorder finished early). */
  readonly postS: number;
  readonly frames: readonly CapturedFrame[];
  readonly signals: readonly CapturedSignal[];
  /** The triggering result (absent for ladder events). */
  readonly result?: { readonly domain: string; readonly t: number; readonly variant: string; readonly inputsValid: boolean; readonly value: unknown };
  /** Frames were left out to keep the byte bound. */
  readonly truncated: boolean;
}

export interface SnippetRecorderOptions {
  readonly preS: number;
  readonly postS: number;
  /** Frame bytes per snippet at most (`frameCost`), split between before and after like preS : postS. */
  readonly maxBytes: number;
  /** Minimum seconds between two snippets of the same trigger and key. */
  readonly cooldownS: number;
  readonly triggers: readonly SnippetTrigger[];
  /** Receives each finished snippet; a rejection is counted, never thrown. */
  readonly sink: (c: SnippetCapture) => void | Promise<void>;
  /** Clock time to Unix ms; default `t * 1000` (traces with absolute time). */
  readonly toUnixMs?: (t: number) => number;
  /** Signal values as of `t` (e.g. the signal store's numeric signals). */
  readonly signals?: (t: number) => readonly { name: string; value: number; t: number }[];
  /** Captures open at once at most; further hits are skipped (counted). Default 8. */
  readonly maxActive?: number;
  /** Told about each snippet the sink rejected (e.g. OUTBOX_FULL), for the log. */
  readonly onSinkError?: (err: unknown, c: SnippetCapture) => void;
}

export interface RecorderStats {
  hits: number;
  rateLimited: number;
  skippedBusy: number;
  emitted: number;
  truncated: number;
  sinkErrors: number;
}

interface Active {
  readonly hit: TriggerHit;
  readonly end: number;
  readonly pre: RingEntry[];
  readonly post: RingEntry[];
  postBytes: number;
  truncated: boolean;
  readonly signals: readonly { name: string; value: number; t: number }[];
}

export class SnippetRecorder {
  readonly stats: RecorderStats = { hits: 0, rateLimited: 0, skippedBusy: 0, emitted: 0, truncated: 0, sinkErrors: 0 };
  readonly ring: FrameRing;
  readonly #o: SnippetRecorderOptions;
  readonly #preBytes: number;
  readonly #postBytes: number;
  readonly #last = new Map<string, number>();
  readonly #pending = new Set<Promise<void>>();
  #active: Active[] = [];
  #seq = 0;
  #now = -Infinity;

  /** @throws {RangeError} for negative windows or a non-positive byte bound */
  constructor(opts: SnippetRecorderOptions) {
    if (!(opts.preS >= 0 && opts.postS >= 0 && opts.cooldownS >= 0)) throw new RangeError('snippet recorder: pre_s, post_s and cooldown_s must be >= 0');
    this.#o = opts;
    const span = opts.preS + opts.postS;
    this.#preBytes = span > 0 ? Math.floor((opts.maxBytes * opts.preS) / span) : 0;
    this.#postBytes = opts.maxBytes - this.#preBytes;
    // The ring also holds what arrived between a result's time and its late arrival.
    this.ring = new FrameRing({ windowS: opts.preS + LATE_S, maxBytes: opts.maxBytes });
  }

  /** Captures still collecting their post window. */
  get active(): number {
    return this.#active.length;
  }

  /** A frame received at clock time `t`. */
  onFrame(frame: CanFrame, t: number): void {
    this.advance(t);
    const e = this.ring.push(frame, t);
    if (!e) return;
    for (const a of this.#active) this.#addPost(a, e);
  }

  /** A domain result: checked against every trigger. */
  onResult(r: ServiceResult): void {
    for (const trig of this.#o.triggers) {
      const hit = trig.onResult?.(r);
      if (hit) this.#start(hit);
    }
  }

  /** A degradation ladder event: checked against every trigger. */
  onEvent(e: LadderEvent): void {
    for (const trig of this.#o.triggers) {
      const hit = trig.onEvent?.(e);
      if (hit) this.#start(hit);
    }
  }

  /** Time has reached `t` (a quiet bus still ends captures): emits those whose window is over. */
  advance(t: number): void {
    if (t > this.#now) this.#now = t;
    if (this.#active.length === 0) return;
    const due = this.#active.filter((a) => a.end < t);
    if (due.length === 0) return;
    this.#active = this.#active.filter((a) => a.end >= t);
    for (const a of due) this.#emit(a, a.end);
  }

  /** Emits every open capture with what it has (the drive or the daemon ended); resolves when the sink took them all. */
  async finish(): Promise<void> {
    const open = this.#active;
    this.#active = [];
    for (const a of open) this.#emit(a, Math.min(a.end, Math.max(this.#now, a.hit.t)));
    await this.flushed();
  }

  /** Resolves when every snippet handed to the sink so far is settled. */
  async flushed(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #start(hit: TriggerHit): void {
    this.stats.hits++;
    const key = `${hit.trigger}/${hit.key}`;
    const last = this.#last.get(key);
    if (last !== undefined && hit.t - last < this.#o.cooldownS) {
      this.stats.rateLimited++;
      return;
    }
    if (this.#active.length >= (this.#o.maxActive ?? 8)) {
      this.stats.skippedBusy++;
      return;
    }
    this.#last.set(key, hit.t);
    const pre = this.ring.between(hit.t - this.#o.preS, hit.t);
    // Newest first until the bound: the moments just before the trigger matter most.
    let bytes = 0;
    let cut = pre.length;
    while (cut > 0 && bytes + (pre[cut - 1] as RingEntry).cost <= this.#preBytes) bytes += (pre[--cut] as RingEntry).cost;
    const a: Active = {
      hit,
      end: hit.t + this.#o.postS,
      pre: pre.slice(cut),
      post: [],
      postBytes: 0,
      truncated: cut > 0,
      signals: this.#o.signals?.(hit.t) ?? [],
    };
    for (const e of this.ring.between(hit.t, Infinity)) if (e.t > hit.t) this.#addPost(a, e);
    this.#active.push(a);
    if (this.#now > a.end) this.advance(this.#now);
  }

  #addPost(a: Active, e: RingEntry): void {
    if (e.t <= a.hit.t || e.t > a.end) return;
    if (a.postBytes + e.cost > this.#postBytes) {
      a.truncated = true;
      return;
    }
    a.post.push(e);
    a.postBytes += e.cost;
  }

  #emit(a: Active, until: number): void {
    const toMs = this.#o.toUnixMs ?? ((t: number) => t * 1000);
    const frames = [...a.pre, ...a.post].map(
      (e): CapturedFrame => ({ t: toMs(e.t) / 1000, channel: e.frame.channel, id: e.frame.id, extended: e.frame.extended, fd: e.frame.fd, data: e.frame.data }),
    );
    const r = a.hit.result;
    const signals: CapturedSignal[] = a.signals.map((s) => ({ t: toMs(s.t) / 1000, name: s.name, value: s.value }));
    if (r && typeof r.result === 'object' && r.result !== null) {
      for (const k of Object.keys(r.result).sort()) {
        const v = resultField(r.result, k);
        if (v !== undefined) signals.push({ t: toMs(r.t) / 1000, name: `${r.domain}.result.${k}`, value: v });
      }
    }
    const capture: SnippetCapture = {
      seq: ++this.#seq,
      trigger: a.hit.trigger,
      domain: a.hit.domain,
      safety: a.hit.safety,
      priority: a.hit.safety ? SNIPPET_PRIORITY.safety : SNIPPET_PRIORITY.other,
      detail: a.hit.detail,
      t: a.hit.t,
      tUnixMs: toMs(a.hit.t),
      preS: this.#o.preS,
      postS: Math.max(0, until - a.hit.t),
      frames,
      signals,
      ...(r ? { result: { domain: r.domain, t: r.t, variant: r.variant, inputsValid: r.inputsValid, value: r.result } } : {}),
      truncated: a.truncated,
    };
    this.stats.emitted++;
    if (a.truncated) this.stats.truncated++;
    let p: Promise<void>;
    try {
      p = Promise.resolve(this.#o.sink(capture));
    } catch (err) {
      p = Promise.reject(err);
    }
    const tracked = p.then(
      () => undefined,
      (err: unknown) => {
        this.stats.sinkErrors++;
        this.#o.onSinkError?.(err, capture);
      },
    );
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }
}

/** A numeric or boolean field of a domain result, for the snippet's signals (results are the domains' own types, unknown here). */
function resultField(result: object, name: string): number | undefined {
  const v = (result as Record<string, unknown>)[name];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}
