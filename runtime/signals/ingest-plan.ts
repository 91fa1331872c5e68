/**
 * How the store feeds the vehicle signals of one message: the plan of a message on a channel.
 * Plain entries take a decoded DBC signal as is; derived ones (a transform, or a multiplexer value
 * the codec does not already select by) are computed from the decoded message after them, so a
 * vehicle whose every signal is plain pays nothing for the others.
 */
import type { CatalogEntry, EntryTransform } from './catalog.js';

/** A DBC signal as the store needs to know it. */
export interface MessageSignal {
  readonly name: string;
  readonly multiplexerIds?: readonly number[] | undefined;
  /** The switch this signal hangs off (extended multiplexing), where the DBC names one. */
  readonly multiplexerSignal?: string | undefined;
  readonly isMultiplexer?: boolean;
}

/** What the store needs to know of a DBC message. */
export interface MessageInfo {
  readonly name: string;
  /** GenMsgCycleTime in ms; absent or 0 when the DBC does not declare one. */
  readonly cycleTimeMs?: number | undefined;
  /**
   * The message's signals with their multiplexer values, where known (a compiled DBC message has them).
   * A multiplexed signal arrives only in the frames of its switch value, so the message's cycle
   * time is not its period: its period is learned from its own arrivals instead.
   */
  readonly signals?: readonly MessageSignal[];
}

/** Physical values by DBC signal name, as a codec's decode returns them (strings for enum labels). */
export type DecodedValues = Readonly<Record<string, number | string>>;

/** Which vehicle signals one message feeds; opaque outside the store. */
export interface IngestPlan {
  /** Plain entries: the DBC signal taken as is, per slot. */
  dbcNames: readonly string[];
  slots: Int32Array;
  /** Entries computed from the message (transform or multiplexer check); undefined when none. */
  derived: DerivedPlan | undefined;
  /** Plain entries on one multiplexer page each, looked up by the frame's page; set when the plan settles. */
  paged: PagedPlan | undefined;
  /** Derived entries that need one page of the top multiplexer, by that page; set when the plan settles. */
  derivedPages: DerivedPages | undefined;
  /** Whether the message's cycle time and multiplexing were looked at (on its first ingest). */
  settled: boolean;
}
/** The derived entries of one plan, in parallel arrays; `values` is refilled on every ingest. */
export interface DerivedPlan {
  /** The vehicle signal names: the keys of `values`. */
  readonly keys: string[];
  readonly slots: Int32Array;
  readonly entries: CatalogEntry[];
  /** Per entry, the DBC switch whose value must equal its `muxValue`; set when the plan settles. */
  readonly switches: (string | undefined)[];
  readonly values: Record<string, number | string | undefined>;
}

/**
 * Plain entries grouped by the page of the message's multiplexer that carries them: a frame of a
 * 24-page message then costs the lookups of its own page, not of all 24.
 */
export interface PagedPlan {
  /** The top multiplexer's DBC signal name. */
  readonly switch: string;
  readonly pages: ReadonlyMap<number, { readonly names: readonly string[]; readonly slots: Int32Array }>;
}

/** Derived entries grouped by the top multiplexer's page they need (their `muxValue`). */
export interface DerivedPages {
  readonly switch: string;
  readonly pages: ReadonlyMap<number, DerivedPlan>;
}

/** A catalog entry and its slot in the store. */
export interface Slotted {
  readonly entry: CatalogEntry;
  readonly slot: number;
}

const isPlain = (e: CatalogEntry): boolean => !e.transform && e.muxValue === undefined;

/** The plan of one message's entries (on one channel), before its first message settles it. */
export function makePlan(list: readonly Slotted[]): IngestPlan {
  const plain = list.filter((x) => isPlain(x.entry));
  return {
    dbcNames: plain.map((x) => x.entry.signal),
    slots: Int32Array.from(plain.map((x) => x.slot)),
    derived: derivedPlan(list.filter((x) => !isPlain(x.entry))),
    paged: undefined,
    derivedPages: undefined,
    settled: false,
  };
}

function derivedPlan(list: readonly Slotted[]): DerivedPlan | undefined {
  if (list.length === 0) return undefined;
  return {
    keys: list.map((x) => x.entry.name),
    slots: Int32Array.from(list.map((x) => x.slot)),
    entries: list.map((x) => x.entry),
    switches: list.map(() => undefined),
    values: {},
  };
}

/**
 * The derived entries' values from one decoded message; undefined where the frame does not feed
 * one (another multiplexer page, a transform without an answer, a transform that threw).
 */
export function deriveValues(d: DerivedPlan, decoded: DecodedValues, onTransformError: () => void): Readonly<Record<string, number | string | undefined>> {
  const values = d.values;
  for (let j = 0; j < d.keys.length; j++) {
    const e = d.entries[j] as CatalogEntry;
    const key = d.keys[j] as string;
    const sw = d.switches[j];
    if (e.muxValue !== undefined && (sw === undefined || decoded[sw] !== e.muxValue)) {
      values[key] = undefined;
      continue;
    }
    values[key] = e.transform ? applyTransform(e.transform, decoded, onTransformError) : decoded[e.signal];
  }
  return values;
}

function applyTransform(f: EntryTransform, decoded: DecodedValues, onError: () => void): number | string | undefined {
  try {
    return f(decoded);
  } catch {
    onError();
    return undefined;
  }
}

/**
 * On a plan's first message, each multiplexer check finds its switch: the signal's own, else the
 * message's top multiplexer. A check the codec already makes (the signal is on that one page
 * only) is dropped, so the entry joins the plain ones.
 */
export function settleMultiplexing(plan: IngestPlan, byName: ReadonlyMap<string, MessageSignal>, message: MessageInfo): void {
  const top = (message.signals ?? []).find((sig) => sig.isMultiplexer === true && sig.multiplexerIds === undefined)?.name;
  settleDerived(plan, byName, top);
  if (top !== undefined) splitPages(plan, byName, top);
}

/** Plain entries that sit on exactly one page of the top multiplexer move to that page's list. */
function splitPages(plan: IngestPlan, byName: ReadonlyMap<string, MessageSignal>, top: string): void {
  const names: string[] = [];
  const slots: number[] = [];
  const pages = new Map<number, { names: string[]; slots: number[] }>();
  plan.dbcNames.forEach((name, j) => {
    const sig = byName.get(name);
    const ids = sig?.multiplexerIds;
    const slot = plan.slots[j] as number;
    if (ids?.length === 1 && (sig?.multiplexerSignal ?? top) === top) {
      const page = pages.get(ids[0] as number) ?? { names: [], slots: [] };
      page.names.push(name);
      page.slots.push(slot);
      pages.set(ids[0] as number, page);
    } else {
      names.push(name);
      slots.push(slot);
    }
  });
  if (pages.size === 0) return;
  plan.dbcNames = names;
  plan.slots = Int32Array.from(slots);
  plan.paged = { switch: top, pages: new Map([...pages].map(([id, p]) => [id, { names: p.names, slots: Int32Array.from(p.slots) }])) };
}

function settleDerived(plan: IngestPlan, byName: ReadonlyMap<string, MessageSignal>, top: string | undefined): void {
  const d = plan.derived;
  if (d === undefined) return;
  const plain: Slotted[] = [];
  const kept: Slotted[] = [];
  d.entries.forEach((e, j) => {
    const ids = byName.get(e.signal)?.multiplexerIds;
    const slotted = { entry: e, slot: d.slots[j] as number };
    if (!e.transform && ids?.length === 1 && ids[0] === e.muxValue) plain.push(slotted);
    else kept.push(slotted);
  });
  if (plain.length > 0) {
    plan.dbcNames = [...plan.dbcNames, ...plain.map((p) => p.entry.signal)];
    plan.slots = Int32Array.from([...plan.slots, ...plain.map((p) => p.slot)]);
  }
  const derived = plain.length > 0 ? derivedPlan(kept) : d;
  derived?.entries.forEach((e, j) => (derived.switches[j] = byName.get(e.signal)?.multiplexerSignal ?? top));
  plan.derived = derived;
  if (derived !== undefined && top !== undefined) splitDerivedPages(plan, derived, top);
}

/**
 * Derived entries checked against the top multiplexer move to a plan per page, so a frame computes
 * only its own page's entries. A frame whose switch decodes to a label feeds none of them, as the
 * check would have said (a label never equals a page number).
 */
function splitDerivedPages(plan: IngestPlan, d: DerivedPlan, top: string): void {
  const rest: { readonly slotted: Slotted; readonly sw: string | undefined }[] = [];
  const byPage = new Map<number, Slotted[]>();
  d.entries.forEach((e, j) => {
    const slotted = { entry: e, slot: d.slots[j] as number };
    if (e.muxValue === undefined || d.switches[j] !== top) {
      rest.push({ slotted, sw: d.switches[j] });
      return;
    }
    const page = byPage.get(e.muxValue);
    if (page) page.push(slotted);
    else byPage.set(e.muxValue, [slotted]);
  });
  if (byPage.size === 0) return;
  const pages = new Map<number, DerivedPlan>();
  for (const [page, list] of byPage) {
    const p = derivedPlan(list) as DerivedPlan;
    p.switches.fill(top);
    pages.set(page, p);
  }
  const remaining = derivedPlan(rest.map((r) => r.slotted));
  if (remaining) rest.forEach((r, j) => (remaining.switches[j] = r.sw));
  plan.derived = remaining;
  plan.derivedPages = { switch: top, pages };
}

