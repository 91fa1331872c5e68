/**
 * The signal router: frames in, vehicle signals out. For each frame it finds the codec, decodes,
 * lets attached feature windows sample the ticks before the frame's time, then updates the store.
 *
 * It depends on a minimal structural view of a compiled DBC, not on bus/dbc internals. A decode
 * failure is counted per message and never thrown out of the hot path: one corrupt frame must not
 * stop a vehicle's signals. The first failure per message is kept for diagnosis.
 */
import type { CanFrame } from '../../bus/frame.js';
import type { DecodedValues, IngestPlan, MessageInfo, SignalStore } from './store.js';
import type { FeatureWindow } from './window.js';

/** A per-message codec, as a compiled DBC returns it for a frame. */
export interface FrameCodec {
  readonly message: MessageInfo;
  decode(data: Uint8Array): DecodedValues;
}

/** What the router needs from a compiled DBC database. */
export interface FrameDecoder {
  forFrame(frame: CanFrame): FrameCodec | undefined;
}

export interface SignalRouterOptions {
  /** Only frames on these channels are routed (others count as ignored). Default: all. */
  readonly channels?: readonly string[];
}

/** Counters of what the router saw; cumulative. */
export interface RouterStats {
  /** Frames offered. */
  readonly frames: number;
  /** Frames whose message some catalog entry reads, decoded and stored. */
  readonly routed: number;
  /** Frames with no codec, a message no entry reads, another channel, or error/remote frames. */
  readonly ignored: number;
  /** Frames whose decode threw, in total. */
  readonly decodeErrors: number;
}

export class SignalRouter {
  readonly #db: FrameDecoder;
  readonly #store: SignalStore;
  readonly #channels: ReadonlySet<string> | undefined;
  readonly #windows: FeatureWindow[] = [];
  readonly #decodeErrors = new Map<string, number>();
  readonly #firstError = new Map<string, string>();
  readonly #unknown = new Map<number, number>();
  #frames = 0;
  #routed = 0;
  #ignored = 0;
  #errors = 0;

  constructor(db: FrameDecoder, store: SignalStore, options: SignalRouterOptions = {}) {
    this.#db = db;
    this.#store = store;
    this.#channels = options.channels ? new Set(options.channels) : undefined;
  }

  /** Windows that sample from this router's store, advanced before each frame is stored. */
  attach(window: FeatureWindow): void {
    this.#windows.push(window);
  }

  /**
   * Decodes and stores one frame. Never throws for bad frames: failures are counted.
   * @param t - arrival time; defaults to the frame's timestamp.
   * @returns how many vehicle signals were updated.
   */
  ingest(frame: CanFrame, t?: number): number {
    this.#frames++;
    const at = t ?? frame.timestamp;
    if (frame.error || frame.rtr || (this.#channels !== undefined && !this.#channels.has(frame.channel))) {
      this.#ignored++;
      return 0;
    }
    let codec: FrameCodec | undefined;
    let plan: IngestPlan | undefined;
    let decoded: DecodedValues;
    try {
      codec = this.#db.forFrame(frame);
      if (codec === undefined) this.#countUnknown(frame);
      // Decoding is the costly part; a message no catalog entry reads is never decoded.
      plan = codec === undefined ? undefined : this.#store.planFor(codec.message.name, frame.channel);
      if (codec === undefined || plan === undefined) {
        this.#ignored++;
        return 0;
      }
      decoded = codec.decode(frame.data);
    } catch (err) {
      this.#countError(codec?.message.name ?? `0x${frame.id.toString(16)}`, err);
      return 0;
    }
    const windows = this.#windows;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i] as FeatureWindow;
      // Cheap check first: most frames fall between two ticks.
      if (!(at <= w.nextDue)) w.advanceBefore(at);
    }
    this.#routed++;
    return this.#store.ingestPlan(plan, codec.message, decoded, at);
  }

  #countUnknown(frame: CanFrame): void {
    // A number key keeps the per-frame cost at one map update: extended ids are stored negated.
    const key = frame.extended ? -1 - frame.id : frame.id;
    this.#unknown.set(key, (this.#unknown.get(key) ?? 0) + 1);
  }

  /** Data frames whose id the database does not describe, per id (extended ids as `-1 - id`). */
  unknownIds(): ReadonlyMap<number, number> {
    return this.#unknown;
  }

  #countError(key: string, err: unknown): void {
    this.#errors++;
    this.#decodeErrors.set(key, (this.#decodeErrors.get(key) ?? 0) + 1);
    if (!this.#firstError.has(key)) this.#firstError.set(key, err instanceof Error ? err.message : String(err));
  }

  stats(): RouterStats {
    return { frames: this.#frames, routed: this.#routed, ignored: this.#ignored, decodeErrors: this.#errors };
  }

  /** Decode failures per message name (or hex id when the codec lookup itself failed). */
  decodeErrors(): ReadonlyMap<string, number> {
    return this.#decodeErrors;
  }

  /** The first decode failure's message per message name, for logs and health. */
  firstDecodeError(message: string): string | undefined {
    return this.#firstError.get(message);
  }
}
