/**
 * The sensors' readings as catalog values: each reference message's reading, taken through the
 * reference vehicle's mapping, gives the catalog signals it carries. Keeps the latest value of
 * each catalog signal wanted, as a vehicle encoder samples them at its own messages' times.
 */
import type { ResolvedSignal } from '../runtime/vehicle/types.js';
import type { SignalMap } from './messages.js';

/** What the read-out needs of a mapping: the message, the DBC signals, the transform. */
export type CatalogSource = Pick<ResolvedSignal, 'name' | 'message' | 'signals' | 'transform'>;

interface Slot {
  readonly slot: number;
  readonly source: CatalogSource;
}

export class CatalogReadout {
  /** Latest value of each wanted catalog signal by slot; NaN until its sensor first reads. */
  readonly values: Float64Array;
  readonly #slots = new Map<string, number>();
  readonly #byMessage = new Map<string, Slot[]>();

  /**
   * @param reference - the reference vehicle's mapping (catalog name → reference message and signals)
   * @param wanted - the catalog signals to keep; those the reference does not carry get no slot
   */
  constructor(reference: ReadonlyMap<string, CatalogSource>, wanted: Iterable<string>) {
    for (const name of wanted) {
      const source = reference.get(name);
      if (!source || this.#slots.has(name)) continue;
      const slot = this.#slots.size;
      this.#slots.set(name, slot);
      const list = this.#byMessage.get(source.message) ?? [];
      list.push({ slot, source });
      this.#byMessage.set(source.message, list);
    }
    this.values = new Float64Array(this.#slots.size).fill(Number.NaN);
  }

  /** The slot of a catalog signal, or undefined when no sensor reads it. */
  slot(name: string): number | undefined {
    return this.#slots.get(name);
  }

  /** The reference message whose sensor reads a catalog signal. */
  carrier(name: string): string | undefined {
    for (const [message, slots] of this.#byMessage) if (slots.some((s) => s.source.name === name)) return message;
    return undefined;
  }

  /** Takes the catalog values out of one reading of reference message `message`. */
  read(message: string, values: SignalMap): void {
    const slots = this.#byMessage.get(message);
    if (!slots) return;
    for (const { slot, source } of slots) {
      const v = source.transform ? source.transform(values) : values[source.signals[0] as string];
      if (typeof v === 'number') this.values[slot] = v;
    }
  }
}
