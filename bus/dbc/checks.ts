/**
 * Structural checks of one message: who multiplexes whom, and which signals share bits although
 * they can be present in the same frame. Both repair what they can and warn, never throw themselves.
 */
import { occupiedBits } from './bit-layout.js';
import type { MessageDraft, SignalDraft } from './build.js';
import type { WarnFn } from './statements.js';

/**
 * Settles each multiplexed signal's switch. `mN` signals without an `SG_MUL_VAL_` belong to the
 * message's top-level `M` switch; explicit `SG_MUL_VAL_` entries win. Dangling or circular
 * references are cut (the signal is then read as always present) with a warning.
 */
export function checkMultiplexing(m: MessageDraft, explicit: ReadonlySet<SignalDraft>, warn: WarnFn): void {
  const byName = new Map(m.signals.map((s) => [s.name, s]));
  const top = m.signals.find((s) => s.isMultiplexer && s.multiplexerIds === undefined);
  const unmux = (s: SignalDraft, why: string): void => {
    warn(s.location, `signal ${s.name} of message ${m.name} ${why}; read as always present`);
    s.multiplexerSignal = undefined;
    s.multiplexerIds = undefined;
  };
  for (const s of m.signals) {
    if (s.multiplexerIds === undefined || explicit.has(s)) continue;
    if (top && top !== s) s.multiplexerSignal = top.name;
    else unmux(s, 'is multiplexed but the message has no multiplexer switch (M)');
  }
  for (const s of m.signals) {
    if (s.multiplexerSignal === undefined) continue;
    const sw = byName.get(s.multiplexerSignal);
    if (!sw) unmux(s, `names an unknown multiplexer switch ${s.multiplexerSignal}`);
    else if (!sw.isMultiplexer) {
      warn(s.location, `signal ${s.name} of message ${m.name} is switched by ${sw.name}, which is not marked as a multiplexer; made it one`);
      sw.isMultiplexer = true;
    }
  }
  for (const s of m.signals) {
    const seen = new Set<SignalDraft>([s]);
    for (let cur = s.multiplexerSignal; cur !== undefined; ) {
      const sw = byName.get(cur);
      if (!sw) break;
      if (seen.has(sw)) {
        unmux(s, 'is part of a circular chain of multiplexer switches');
        break;
      }
      seen.add(sw);
      cur = sw.multiplexerSignal;
    }
  }
}

/** The switch values under which a signal is present: switch name -> allowed values. */
function presence(s: SignalDraft, byName: ReadonlyMap<string, SignalDraft>): Map<string, ReadonlySet<number>> {
  const out = new Map<string, ReadonlySet<number>>();
  let cur: SignalDraft | undefined = s;
  for (let depth = 0; cur?.multiplexerSignal !== undefined && depth < 64; depth++) {
    out.set(cur.multiplexerSignal, new Set(cur.multiplexerIds ?? []));
    cur = byName.get(cur.multiplexerSignal);
  }
  return out;
}

function canCoexist(a: Map<string, ReadonlySet<number>>, b: Map<string, ReadonlySet<number>>): boolean {
  for (const [sw, ids] of a) {
    const other = b.get(sw);
    if (!other) continue;
    let common = false;
    for (const id of ids) {
      if (other.has(id)) {
        common = true;
        break;
      }
    }
    if (!common) return false;
  }
  return true;
}

/** Overlap warnings per message: past this many the rest are summed up in one line. */
const MAX_OVERLAP_WARNINGS = 16;
/** Pairs of bit-sharing signals compared per message before the check gives up (with a warning). */
const MAX_PAIR_CHECKS = 200_000;

/**
 * Warns once per pair of signals that share a bit and can appear in the same frame, at most
 * MAX_OVERLAP_WARNINGS times per message. Work is bounded whatever the file claims: bit positions
 * are bounded by the parser (a CAN FD frame), each signal's multiplexer condition is worked out
 * once, each pair is compared once, and the comparisons stop at MAX_PAIR_CHECKS.
 */
export function checkOverlaps(m: MessageDraft, warn: WarnFn): void {
  // First owner of each bit in a flat array; only bits claimed twice need the slower pair check.
  const bitsOf = m.signals.map((s) => occupiedBits(s.startBit, s.length, s.byteOrder));
  let size = 0;
  for (const bits of bitsOf) for (const bit of bits) size = Math.max(size, bit + 1);
  const first = new Int32Array(size).fill(-1);
  let shared = false;
  bitsOf.forEach((bits, j) => {
    for (const bit of bits) {
      if ((first[bit] as number) < 0) first[bit] = j;
      else shared = true;
    }
  });
  if (!shared) return;
  const byName = new Map(m.signals.map((s) => [s.name, s]));
  const presences = m.signals.map((s) => presence(s, byName));
  const owners: number[][] = Array.from({ length: size }, () => []);
  // lastSeen[i] === j: pair (i, j) already compared while visiting signal j.
  const lastSeen = new Int32Array(m.signals.length).fill(-1);
  let warnings = 0;
  let more = 0;
  let checks = 0;
  for (let j = 0; j < m.signals.length; j++) {
    for (const bit of bitsOf[j] as number[]) {
      const list = owners[bit] as number[];
      for (const i of list) {
        if (lastSeen[i] === j) continue;
        lastSeen[i] = j;
        if (++checks > MAX_PAIR_CHECKS) {
          warn(m.location, `message ${m.name}: overlap check stopped after ${MAX_PAIR_CHECKS} pairs of signals sharing bits`);
          return;
        }
        if (!canCoexist(presences[i] as Map<string, ReadonlySet<number>>, presences[j] as Map<string, ReadonlySet<number>>)) continue;
        const a = m.signals[i] as SignalDraft;
        const b = m.signals[j] as SignalDraft;
        if (warnings < MAX_OVERLAP_WARNINGS) {
          warnings++;
          warn(b.location, `signals ${a.name} and ${b.name} overlap in message ${m.name}`);
        } else more++;
      }
      list.push(j);
    }
  }
  if (more > 0) warn(m.location, `message ${m.name}: ${more} more pairs of overlapping signals`);
}
