/**
 * One message of the target vehicle's DBC as the simulator fills it: every signal starts at its
 * DBC start value (`GenSigStartValue`, else raw 0), mapped signals are set from physical values
 * clamped into what their bits can carry, and the message's counter and CRC are applied when the
 * DBC declares them the reference way (`<P>_Counter`, `<P>_CRC`; `bus/e2e.ts`).
 *
 * A declared physical range is honoured only when it lies within what the bits carry: opendbc-style
 * files often put the raw range there (`[0|65535]` on a signed acceleration), and clamping to it
 * would cut off every negative value.
 */
import { rawRange, type AttributeValue, type DbcSignal, type MessageCodec } from '../bus/dbc/index.js';
import { E2eSealer } from '../bus/e2e.js';

const START_VALUE = 'GenSigStartValue';

interface Carry {
  readonly signal: DbcSignal;
  /** Raw bounds the bits hold (within the safe-integer range). */
  readonly rawLo: number;
  readonly rawHi: number;
  /** Physical bounds values are clamped to before scaling. */
  readonly lo: number;
  readonly hi: number;
}

function carryOf(s: DbcSignal): Carry {
  const [minRaw, maxRaw] = rawRange(s);
  const rawLo = Math.max(Number(minRaw), Number.MIN_SAFE_INTEGER);
  const rawHi = Math.min(Number(maxRaw), Number.MAX_SAFE_INTEGER);
  if (s.float !== false) return { signal: s, rawLo: -Infinity, rawHi: Infinity, lo: s.minimum ?? -Infinity, hi: s.maximum ?? Infinity };
  const a = rawLo * s.scale + s.offset;
  const b = rawHi * s.scale + s.offset;
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const declared = s.minimum !== undefined && s.maximum !== undefined && s.minimum < s.maximum && s.minimum >= lo && s.maximum <= hi;
  return declared ? { signal: s, rawLo, rawHi, lo: s.minimum as number, hi: s.maximum as number } : { signal: s, rawLo, rawHi, lo, hi };
}

/** Rounds half away from zero, as the DBC codec does, so a value encodes the same either way. */
function roundRaw(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

function startRaw(s: DbcSignal, fallback: AttributeValue | undefined): number {
  const v = s.attributes.get(START_VALUE) ?? fallback;
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export class TargetMessage {
  /** The multiplexer switch, when the message is multiplexed. */
  readonly muxSwitch: string | undefined;
  /** The switch values some signal hangs off, ascending. */
  readonly muxValues: readonly number[];
  /** The switch value a frame carries when no mapped signal asks for one. */
  readonly defaultMux: number | undefined;
  readonly #carry = new Map<string, Carry>();
  readonly #start: Readonly<Record<string, number>>;
  readonly #e2e: E2eSealer | undefined;

  /**
   * @param codec - the target message
   * @param startDefault - the DBC's default `GenSigStartValue` (`BA_DEF_DEF_`), if it declares one
   */
  constructor(
    readonly codec: MessageCodec,
    startDefault?: AttributeValue,
  ) {
    const start: Record<string, number> = {};
    for (const s of codec.message.signals) {
      const carry = carryOf(s);
      this.#carry.set(s.name, carry);
      start[s.name] = Math.min(Math.max(startRaw(s, startDefault), carry.rawLo), carry.rawHi);
    }
    const sw = codec.message.signals.find((s) => s.isMultiplexer && s.multiplexerSignal === undefined);
    this.muxSwitch = sw?.name;
    const ids = new Set<number>();
    for (const s of codec.message.signals) if (sw && s.multiplexerSignal === sw.name) for (const id of s.multiplexerIds ?? []) ids.add(id);
    this.muxValues = [...ids].sort((a, b) => a - b);
    const startMux = sw ? start[sw.name] : undefined;
    this.defaultMux = startMux !== undefined && ids.has(startMux) ? startMux : this.muxValues[0];
    this.#start = start;
    this.#e2e = E2eSealer.of(codec.message);
  }

  get name(): string {
    return this.codec.message.name;
  }

  /** True when the message has a signal of this name. */
  has(signal: string): boolean {
    return this.#carry.has(signal);
  }

  /** A fresh set of raw values, every signal at its start value, the switch at `mux`. */
  initial(mux: number | undefined): Record<string, number> {
    const values = { ...this.#start };
    if (this.muxSwitch !== undefined && mux !== undefined) values[this.muxSwitch] = mux;
    return values;
  }

  /** Sets `signal` (which must be in the message) from a physical value, clamped into what it carries. */
  put(values: Record<string, number>, signal: string, physical: number): void {
    const c = this.#carry.get(signal) as Carry;
    if (Number.isNaN(physical)) return;
    const v = Math.min(Math.max(physical, c.lo), c.hi);
    const raw = (v - c.signal.offset) / c.signal.scale;
    values[signal] = c.signal.float === false ? Math.min(Math.max(roundRaw(raw), c.rawLo), c.rawHi) : raw;
  }

  /** Packs raw values into a payload, with this transmission's counter and CRC when the message has them. */
  pack(values: Record<string, number>): Uint8Array {
    this.#e2e?.prepare(values);
    const data = this.codec.encode(values, { scaling: false, strict: false });
    return this.#e2e ? this.#e2e.seal(data) : data;
  }
}
