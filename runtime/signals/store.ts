/**
 * The signal store: latest value, timestamp and validity of every vehicle signal in a catalog.
 *
 * Pure state with time passed in: `ingest(frame, message, decoded, t)` and `get(name, now)` never
 * read a clock, so replay is deterministic. A signal is alive while `now - lastArrival < k * period`
 * (k = `timeoutPeriods`). The period comes from the catalog's `periodMs`, else the DBC's
 * GenMsgCycleTime (`cycleTimeMs`), else it is learned from observed inter-arrival times: the median
 * of the first `learnIntervals` intervals, then fixed (as a CAN parser learns a message frequency
 * once). While learning, the limit is k times the longest interval seen so far (never stricter than
 * the truth), and before a second arrival it is `unlearnedTimeoutS`.
 *
 * A catalog entry's `timeoutMs`, where given, is the limit instead.
 *
 * Hot path: per message, a precomputed plan (signal names and slot indices) is looked up once;
 * values live in typed arrays, so an ingest allocates nothing. Each signal keeps its last few
 * arrivals (`history`) so feature windows can sample past ticks exactly and interpolate. Entries
 * with a transform or a multiplexer value are computed after the plain ones (see ingest-plan.ts).
 */
import { ConfigInvalidError } from '../errors.js';
import type { SignalCatalog } from './catalog.js';
import { deriveValues, makePlan, settleMultiplexing, type DecodedValues, type IngestPlan, type MessageInfo, type Slotted } from './ingest-plan.js';

export type { DecodedValues, IngestPlan, MessageInfo } from './ingest-plan.js';

export interface SignalStoreOptions {
  /** A signal goes invalid after missing this many periods. Default 5. */
  readonly timeoutPeriods?: number;
  /** Staleness limit in seconds before a period is known (fewer than two arrivals). Default 1. */
  readonly unlearnedTimeoutS?: number;
  /** Inter-arrival intervals whose median becomes a learned period. Default 8. */
  readonly learnIntervals?: number;
  /** Arrivals kept per signal for sampling past instants. Default 4. */
  readonly history?: number;
}

/** A signal's state as of some instant. */
export interface SignalReading {
  readonly name: string;
  readonly value: number | string;
  /** Arrival time of the value, never later than the `now` asked about. */
  readonly timestamp: number;
  readonly age: number;
  readonly valid: boolean;
  /** Period in seconds: configured, from the DBC, or learned; undefined while still learning. */
  readonly periodS: number | undefined;
  /** Age at which the signal goes invalid. */
  readonly limitS: number;
}

type Plan = IngestPlan;

interface Route {
  readonly any: Plan | undefined;
  readonly byChannel: ReadonlyMap<string, Plan>;
}

export class SignalStore {
  readonly names: readonly string[];
  readonly #index = new Map<string, number>();
  readonly #routes = new Map<string, Route>();
  readonly #k: number;
  readonly #unlearned: number;
  readonly #learnN: number;
  readonly #h: number;
  // Ring of the last `h` arrivals per signal: slot i uses [i*h, (i+1)*h).
  readonly #histT: Float64Array;
  readonly #histV: Float64Array;
  readonly #head: Int32Array;
  readonly #count: Float64Array;
  readonly #text: (string | undefined)[]; // enum labels, beside the NaN in #histV
  readonly #period: Float64Array; // NaN while unknown
  readonly #fixed: Uint8Array; // 1 when the period came from the catalog (never overwritten)
  readonly #timeout: Float64Array; // the catalog's timeout in s, NaN when the periods rule applies
  readonly #learn: Float64Array;
  readonly #learnCount: Int32Array;
  readonly #maxInterval: Float64Array;
  #outOfOrder = 0;
  #transformErrors = 0;
  readonly #onTransformError = (): void => {
    this.#transformErrors++;
  };
  /** Set by `sample()`: the value at the sampled instant, NaN when none is known. */
  sampled = Number.NaN;

  /**
   * @param catalog - the vehicle signals to keep and where they come from.
   * @throws {RangeError} on non-positive options.
   */
  constructor(catalog: SignalCatalog, options: SignalStoreOptions = {}) {
    this.#k = positive(options.timeoutPeriods ?? 5, 'timeoutPeriods');
    this.#unlearned = positive(options.unlearnedTimeoutS ?? 1, 'unlearnedTimeoutS');
    this.#learnN = positiveInt(options.learnIntervals ?? 8, 'learnIntervals');
    this.#h = positiveInt(options.history ?? 4, 'history');
    const n = catalog.size;
    this.names = Object.freeze(catalog.names());
    this.#histT = new Float64Array(n * this.#h);
    this.#histV = new Float64Array(n * this.#h);
    this.#head = new Int32Array(n);
    this.#count = new Float64Array(n);
    this.#text = new Array<string | undefined>(n * this.#h).fill(undefined);
    this.#period = new Float64Array(n).fill(Number.NaN);
    this.#fixed = new Uint8Array(n);
    this.#timeout = new Float64Array(n).fill(Number.NaN);
    this.#learn = new Float64Array(n * this.#learnN);
    this.#learnCount = new Int32Array(n);
    this.#maxInterval = new Float64Array(n);

    const perMessage = new Map<string, { any: Slotted[]; byChannel: Map<string, Slotted[]> }>();
    catalog.entries.forEach((e, i) => {
      this.#index.set(e.name, i);
      if (e.periodMs !== undefined) {
        this.#period[i] = e.periodMs / 1000;
        this.#fixed[i] = 1;
      }
      if (e.timeoutMs !== undefined) this.#timeout[i] = e.timeoutMs / 1000;
      let m = perMessage.get(e.message);
      if (!m) perMessage.set(e.message, (m = { any: [], byChannel: new Map() }));
      if (e.channel === undefined) m.any.push({ entry: e, slot: i });
      else {
        const list = m.byChannel.get(e.channel) ?? [];
        list.push({ entry: e, slot: i });
        m.byChannel.set(e.channel, list);
      }
    });
    for (const [message, m] of perMessage) {
      const byChannel = new Map<string, Plan>();
      // A channel's plan includes the any-channel entries, so one lookup finds everything.
      for (const [ch, list] of m.byChannel) byChannel.set(ch, makePlan([...m.any, ...list]));
      this.#routes.set(message, { any: m.any.length > 0 ? makePlan(m.any) : undefined, byChannel });
    }
  }

  get size(): number {
    return this.names.length;
  }

  /** Arrivals ignored because they were older than the signal's latest value. */
  get outOfOrder(): number {
    return this.#outOfOrder;
  }

  /** Arrivals left out because an entry's transform threw. */
  get transformErrors(): number {
    return this.#transformErrors;
  }

  /** True when some catalog entry reads this message (on this channel, if given). */
  wants(message: string, channel?: string): boolean {
    const r = this.#routes.get(message);
    if (!r) return false;
    return channel === undefined || r.any !== undefined || r.byChannel.has(channel);
  }

  /**
   * Slot index of a vehicle signal, for the allocation-free accessors.
   * @throws {ConfigInvalidError} when the name is not in the catalog.
   */
  indexOf(name: string): number {
    const i = this.#index.get(name);
    if (i === undefined) throw new ConfigInvalidError('signal store', [{ path: name, message: 'not a vehicle signal of the catalog' }]);
    return i;
  }

  /**
   * Records the decoded values of one frame. Signals the frame does not carry (other multiplexer
   * pages) are left alone; an arrival older than a signal's latest is ignored and counted.
   * @param frame - only its channel is used.
   * @param message - the DBC message the frame decoded as.
   * @param decoded - physical values by DBC signal name.
   * @param t - arrival time in seconds (the frame timestamp on the store's time base).
   * @returns how many vehicle signals were updated.
   */
  ingest(frame: { readonly channel: string }, message: MessageInfo, decoded: DecodedValues, t: number): number {
    const plan = this.planFor(message.name, frame.channel);
    return plan === undefined ? 0 : this.ingestPlan(plan, message, decoded, t);
  }

  /**
   * The precomputed mapping for one message on one channel, or undefined when no catalog entry
   * reads it. Lets a router skip decoding unwanted messages and look the message up only once.
   */
  planFor(message: string, channel: string): IngestPlan | undefined {
    const route = this.#routes.get(message);
    if (route === undefined) return undefined;
    return route.byChannel.size > 0 ? (route.byChannel.get(channel) ?? route.any) : route.any;
  }

  /**
   * `ingest` with the plan already looked up (see planFor).
   * @returns how many vehicle signals were updated.
   */
  ingestPlan(plan: IngestPlan, message: MessageInfo, decoded: DecodedValues, t: number): number {
    if (!Number.isFinite(t)) return 0;
    if (!plan.settled) this.#settle(plan, message);
    let updated = this.#record(plan.dbcNames, plan.slots, decoded, t);
    const paged = plan.paged;
    if (paged !== undefined) {
      const page = decoded[paged.switch];
      if (typeof page === 'number') {
        const own = paged.pages.get(page);
        if (own !== undefined) updated += this.#record(own.names, own.slots, decoded, t);
      } else {
        // A switch decoded to a value-table label (or absent): try every page, as without pages.
        for (const p of paged.pages.values()) updated += this.#record(p.names, p.slots, decoded, t);
      }
    }
    const pages = plan.derivedPages;
    if (pages !== undefined) {
      const page = decoded[pages.switch];
      const own = typeof page === 'number' ? pages.pages.get(page) : undefined;
      if (own !== undefined) updated += this.#record(own.keys, own.slots, deriveValues(own, decoded, this.#onTransformError), t);
    }
    const derived = plan.derived;
    return derived === undefined ? updated : updated + this.#record(derived.keys, derived.slots, deriveValues(derived, decoded, this.#onTransformError), t);
  }

  /** Stores `values[names[j]]` into slot `slots[j]` at `t`, skipping absent values. */
  #record(names: readonly string[], slots: Int32Array, values: Readonly<Record<string, number | string | undefined>>, t: number): number {
    // Locals instead of repeated private-field reads: this loop is the hot path.
    const h = this.#h;
    const histT = this.#histT;
    const histV = this.#histV;
    const heads = this.#head;
    const counts = this.#count;
    const text = this.#text;
    let updated = 0;
    for (let j = 0; j < slots.length; j++) {
      const v = values[names[j] as string];
      if (v === undefined) continue;
      const i = slots[j] as number;
      const count = counts[i] as number;
      let head = heads[i] as number;
      // `counts` counts distinct arrival instants: it bounds how much of the ring holds real data.
      let fresh = true;
      if (count > 0) {
        const last = histT[i * h + head] as number;
        if (t < last) {
          this.#outOfOrder++;
          continue;
        }
        if (t > last) {
          if (Number.isNaN(this.#period[i] as number)) this.#observeInterval(i, t - last);
          head = head + 1 === h ? 0 : head + 1;
          heads[i] = head;
        } else {
          // A repeat at the same instant replaces the value, so history times stay distinct.
          fresh = false;
        }
      }
      const at = i * h + head;
      histT[at] = t;
      if (typeof v === 'number') {
        histV[at] = v;
        if (text[at] !== undefined) text[at] = undefined;
      } else {
        histV[at] = Number.NaN;
        text[at] = v;
      }
      if (fresh) counts[i] = count + 1;
      updated++;
    }
    return updated;
  }

  /**
   * On a plan's first message: the DBC's cycle time becomes the period of the signals that arrive
   * with every frame, and each multiplexer check finds its switch (settleMultiplexing).
   */
  #settle(plan: Plan, message: MessageInfo): void {
    plan.settled = true;
    const byName = new Map((message.signals ?? []).map((sig) => [sig.name, sig]));
    settleMultiplexing(plan, byName, message);
    const cycleTimeMs = message.cycleTimeMs;
    if (cycleTimeMs === undefined || !(cycleTimeMs > 0)) return;
    const slots = [...plan.slots, ...(plan.derived?.slots ?? [])];
    const signals = [...plan.dbcNames, ...(plan.derived?.entries.map((e) => e.signal) ?? [])];
    slots.forEach((i, j) => {
      if (this.#fixed[i] === 0 && byName.get(signals[j] as string)?.multiplexerIds === undefined) this.#period[i] = cycleTimeMs / 1000;
    });
  }

  #observeInterval(i: number, dt: number): void {
    const n = this.#learnN;
    const c = this.#learnCount[i] as number;
    this.#learn[i * n + c] = dt;
    this.#learnCount[i] = c + 1;
    if (dt > (this.#maxInterval[i] as number)) this.#maxInterval[i] = dt;
    if (c + 1 === n) {
      const sorted = this.#learn.slice(i * n, i * n + n).sort();
      this.#period[i] = n % 2 === 1 ? (sorted[(n - 1) / 2] as number) : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
    }
  }

  /** Period in seconds of a slot, or undefined while unknown. */
  periodOf(index: number): number | undefined {
    const p = this.#period[index] as number;
    return Number.isNaN(p) ? undefined : p;
  }

  /** Age in seconds at which a slot's value goes invalid. */
  limitOf(index: number): number {
    const timeout = this.#timeout[index] as number;
    if (!Number.isNaN(timeout)) return timeout;
    const p = this.#period[index] as number;
    if (!Number.isNaN(p)) return this.#k * p;
    return (this.#learnCount[index] as number) > 0 ? this.#k * (this.#maxInterval[index] as number) : this.#unlearned;
  }

  /** Position in the history ring of the newest arrival at or before `t`, or -1. */
  #arrivalAt(i: number, t: number): number {
    const h = this.#h;
    const kept = Math.min(this.#count[i] as number, h);
    let pos = this.#head[i] as number;
    for (let n = 0; n < kept; n++) {
      if ((this.#histT[i * h + pos] as number) <= t) return pos;
      pos = pos === 0 ? h - 1 : pos - 1;
    }
    return -1;
  }

  /**
   * Value of a slot at instant `t`, allocation-free: sets `this.sampled` (NaN when unknown) and
   * returns whether it was valid then. Hold takes the newest arrival at or before `t`; linear
   * interpolates towards the next arrival when one is known (it never extrapolates).
   * @param linear - interpolate between arrivals instead of holding.
   */
  sample(index: number, t: number, linear = false): boolean {
    const pos = this.#arrivalAt(index, t);
    if (pos < 0) {
      this.sampled = Number.NaN;
      return false;
    }
    const h = this.#h;
    const at = index * h + pos;
    const t0 = this.#histT[at] as number;
    let v = this.#histV[at] as number;
    if (linear && pos !== this.#head[index] && t > t0) {
      const next = index * h + ((pos + 1) % h);
      const t1 = this.#histT[next] as number;
      v += (((this.#histV[next] as number) - v) * (t - t0)) / (t1 - t0);
    }
    this.sampled = v;
    return Number.isFinite(v) && t - t0 < this.limitOf(index);
  }

  /**
   * The state of a vehicle signal as of `now`: the newest value that had arrived by then.
   * @returns undefined when no value had arrived by `now` (or it fell out of the kept history).
   * @throws {ConfigInvalidError} when the name is not in the catalog.
   */
  get(name: string, now: number): SignalReading | undefined {
    const i = this.indexOf(name);
    const pos = this.#arrivalAt(i, now);
    if (pos < 0) return undefined;
    const at = i * this.#h + pos;
    const timestamp = this.#histT[at] as number;
    const num = this.#histV[at] as number;
    const text = this.#text[at];
    const value = text ?? num;
    const limitS = this.limitOf(i);
    const age = now - timestamp;
    const usable = text !== undefined || Number.isFinite(num);
    return { name, value, timestamp, age, valid: usable && age < limitS, periodS: this.periodOf(i), limitS };
  }

  /** Whether a vehicle signal is valid at `now` (cheaper than `get`). */
  isValid(index: number, now: number): boolean {
    const pos = this.#arrivalAt(index, now);
    if (pos < 0) return false;
    const at = index * this.#h + pos;
    const usable = this.#text[at] !== undefined || Number.isFinite(this.#histV[at] as number);
    return usable && now - (this.#histT[at] as number) < this.limitOf(index);
  }

  /** How many catalog signals are valid at `now` (for health). */
  validCount(now: number): number {
    let n = 0;
    for (let i = 0; i < this.names.length; i++) if (this.isValid(i, now)) n++;
    return n;
  }
}

function positive(x: number, name: string): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`${name} must be a positive number, got ${x}`);
  return x;
}

function positiveInt(x: number, name: string): number {
  if (!Number.isInteger(x) || x < 1) throw new RangeError(`${name} must be a positive integer, got ${x}`);
  return x;
}
