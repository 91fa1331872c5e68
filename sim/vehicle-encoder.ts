/**
 * Encodes the simulated drive onto any vehicle: a profile's resolved signals (catalog name →
 * message, DBC signals, inverse) and that vehicle's DBC. The reference sensors read the world as
 * always; their readings, named in the catalog (`catalog-readout.ts`), are sampled by each target
 * message at its own cycle and written through the mapping's `inverse`.
 *
 * - A target message goes out every GenMsgCycleTime, else at the period of the fastest reference
 *   sensor carrying one of its signals, in the step that sensor reads (so no value waits a cycle).
 * - A frame goes out only once every signal it carries has been read: before that its start value
 *   would decode as a reading (a wheel speed of 0, a torque at the bottom of its range).
 * - Its other signals are at their DBC start value; a multiplexed message sends one frame per
 *   multiplexer value its mapped signals use, each with the signals present in every frame.
 * - Catalog signals the profile does not map are not sent; a message none of whose signals the
 *   simulator produces is not sent either, nor are SOME/IP event fields (the simulator writes CAN).
 */
import type { CompiledDatabase } from '../bus/dbc/index.js';
import { makeFrame } from '../bus/frame.js';
import type { ResolvedSignal } from '../runtime/vehicle/types.js';
import type { BusTiming } from './bus-timing.js';
import { CatalogReadout, type CatalogSource } from './catalog-readout.js';
import { VehicleEncodingError } from './errors.js';
import type { SignalMap } from './messages.js';
import { isDue, slotOf, STEP_MS, stepsOf, type BusEncoder, type Sensor, type StepCycle, type TimedFrame } from './sensors.js';
import { TargetMessage } from './target-message.js';

/** A vehicle to encode the drive onto. */
export interface VehicleTarget {
  /** Catalog name → where this vehicle carries it: a resolved profile's signals. */
  readonly signals: ReadonlyMap<string, ResolvedSignal>;
  /** The vehicle's compiled DBC. */
  readonly database: CompiledDatabase;
}

/** What the encoder sends, for the operator. */
export interface VehicleEncoding {
  readonly messages: readonly { readonly name: string; readonly cycleMs: number; readonly framesPerCycle: number; readonly signals: readonly string[] }[];
  /** Mapped catalog signals no reference sensor reads, or carried over SOME/IP: the simulator sends CAN only. */
  readonly unsimulated: readonly string[];
  /** Mapped catalog signals whose mapping cannot be inverted (e.g. an expression over two signals): not sent. */
  readonly notInvertible: ReadonlySet<string>;
}

interface Planned {
  readonly slot: number;
  readonly resolved: ResolvedSignal;
  readonly muxValue: number | undefined;
}

interface PlannedMessage extends StepCycle {
  readonly target: TargetMessage;
  readonly channel: string;
  readonly slotUs: number;
  /** One frame per entry: the switch value and the signals it carries. */
  readonly frames: readonly { readonly mux: number | undefined; readonly signals: readonly Planned[] }[];
}

/** How a resolved profile names a SOME/IP event's pseudo-message (`runtime/vehicle/types.ts`). */
const SOMEIP_PREFIX = 'SOMEIP_';

// Frames of one multiplexed message follow each other this far apart, and stay within their step.
const MUX_SPACING_US = 10;
const LAST_SLOT_US = STEP_MS * 1000 - 310;

export class VehicleEncoder implements BusEncoder {
  readonly encoding: VehicleEncoding;
  readonly #readout: CatalogReadout;
  readonly #messages: readonly PlannedMessage[];
  readonly #notInvertible = new Set<string>();

  /**
   * @param target - the profile's signals and the vehicle's DBC
   * @param sensors - the reference sensors, whose schedule sets the default cycles and phases
   * @param reference - the reference vehicle's mapping, which names the sensors' readings in the catalog
   * @throws {VehicleEncodingError} naming the profile line when a mapping does not fit the DBC
   */
  constructor(
    target: VehicleTarget,
    sensors: readonly Sensor[],
    reference: ReadonlyMap<string, CatalogSource>,
    private readonly timing: BusTiming,
    private readonly channel: string,
  ) {
    this.#readout = new CatalogReadout(reference, target.signals.keys());
    const sensorOf = new Map(sensors.map((s) => [s.codec.message.name, s]));
    const groups = new Map<string, ResolvedSignal[]>();
    for (const r of target.signals.values()) {
      const key = `${r.message}\u0000${r.channel ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const startDefault = target.database.database.attributeDefinitions.get('GenSigStartValue')?.defaultValue;
    const unsimulated: string[] = [];
    const messages: PlannedMessage[] = [];
    for (const list of groups.values()) {
      const first = list[0] as ResolvedSignal;
      const codec = target.database.byName(first.message);
      if (!codec && first.message.startsWith(SOMEIP_PREFIX)) {
        unsimulated.push(...list.map((r) => r.name));
        continue;
      }
      if (!codec) throw new VehicleEncodingError(first.name, first.file, first.line, `message ${first.message} is not in the vehicle's DBC`, 'map it to a message of this DBC, or pass the DBC the profile was written for (--dbc)');
      const tm = new TargetMessage(codec, startDefault);
      const planned: Planned[] = [];
      let fastest: Sensor | undefined;
      for (const r of list) {
        const muxValue = checkedMux(tm, r);
        if (r.inverse === undefined) this.#notInvertible.add(r.name);
        const slot = this.#readout.slot(r.name);
        const sensor = sensorOf.get(this.#readout.carrier(r.name) ?? '');
        if (slot === undefined || !sensor) {
          unsimulated.push(r.name);
          continue;
        }
        if (r.inverse !== undefined) planned.push({ slot, resolved: r, muxValue });
        if (!fastest || sensor.cycleSteps < fastest.cycleSteps) fastest = sensor;
      }
      if (!fastest || planned.length === 0) continue;
      const cycleSteps = codec.message.cycleTimeMs === undefined ? fastest.cycleSteps : stepsOf(codec.message.cycleTimeMs);
      const used = [...new Set(planned.map((p) => p.muxValue).filter((m): m is number => m !== undefined))].sort((a, b) => a - b);
      const muxes = tm.muxSwitch === undefined ? [undefined] : used.length > 0 ? used : [tm.defaultMux];
      messages.push({
        target: tm,
        channel: first.channel ?? channel,
        cycleSteps,
        phase: fastest.phase % cycleSteps,
        slotUs: slotOf(target.database.codecs.indexOf(codec)),
        frames: muxes.map((mux) => ({ mux, signals: planned.filter((p) => p.muxValue === undefined || p.muxValue === mux) })),
      });
    }
    this.#messages = messages;
    this.encoding = {
      messages: messages.map((m) => ({
        name: m.target.name,
        cycleMs: m.cycleSteps * STEP_MS,
        framesPerCycle: m.frames.length,
        signals: [...new Set(m.frames.flatMap((f) => f.signals.map((p) => p.resolved.name)))],
      })),
      unsimulated,
      notInvertible: this.#notInvertible,
    };
  }

  reading(sensor: Sensor, values: SignalMap): void {
    this.#readout.read(sensor.codec.message.name, values);
  }

  endStep(k: number, out: TimedFrame[]): void {
    for (const m of this.#messages) {
      if (!isDue(m, k)) continue;
      m.frames.forEach((f, i) => {
        if (!this.#allRead(f.signals)) return;
        const data = this.#fill(m.target, f.mux, f.signals);
        const t = this.timing.stamp(k, Math.min(m.slotUs + i * MUX_SPACING_US, LAST_SLOT_US));
        if (this.timing.lost()) return;
        const msg = m.target.codec.message;
        out.push({ t, frame: makeFrame({ timestamp: t, channel: m.channel, id: msg.id, extended: msg.extended, fd: msg.fd, brs: msg.fd, data }) });
      });
    }
  }

  #allRead(signals: readonly Planned[]): boolean {
    const latest = this.#readout.values;
    return signals.every((p) => !Number.isNaN(latest[p.slot] as number));
  }

  #fill(target: TargetMessage, mux: number | undefined, signals: readonly Planned[]): Uint8Array {
    const values = target.initial(mux);
    const latest = this.#readout.values;
    for (const p of signals) {
      const v = latest[p.slot] as number;
      const r = p.resolved;
      const parts = (r.inverse as NonNullable<ResolvedSignal['inverse']>)(v);
      if (parts === undefined) {
        this.#notInvertible.add(r.name);
        continue;
      }
      for (const name in parts) {
        if (!target.has(name)) throw new VehicleEncodingError(r.name, r.file, r.line, `its inverse writes ${name}, which message ${target.name} does not have`, `map it to signals of ${target.name}`);
        target.put(values, name, parts[name] as number);
      }
    }
    return target.pack(values);
  }
}

/** The multiplexer value a mapping's frame needs, checked against the message. */
function checkedMux(tm: TargetMessage, r: ResolvedSignal): number | undefined {
  for (const name of r.signals) {
    if (!tm.has(name)) throw new VehicleEncodingError(r.name, r.file, r.line, `signal ${name} is not in message ${r.message}`, `name a signal of ${r.message} (see \`ecu-ai dbc show\`)`);
  }
  if (r.muxValue === undefined) {
    const muxed = r.signals.find((name) => tm.codec.message.signals.find((s) => s.name === name)?.multiplexerSignal !== undefined);
    if (muxed !== undefined) throw new VehicleEncodingError(r.name, r.file, r.line, `${muxed} is multiplexed in ${r.message}`, `add \`mux:\` with one of ${tm.muxValues.join(', ')}`);
    return undefined;
  }
  if (tm.muxSwitch === undefined) throw new VehicleEncodingError(r.name, r.file, r.line, `mux ${r.muxValue} given but ${r.message} is not multiplexed`, 'remove `mux:`');
  if (!tm.muxValues.includes(r.muxValue)) throw new VehicleEncodingError(r.name, r.file, r.line, `mux ${r.muxValue} is not a multiplexer value of ${r.message}`, `use one of ${tm.muxValues.join(', ')}`);
  return r.muxValue;
}
