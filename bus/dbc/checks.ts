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
    if (other && ![...ids].some((id) => other.has(id))) return false;
  }
  return true;
}

/** Warns once per pair of signals that share a bit and can appear in the same frame. */
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
  // Rare: compare every earlier signal sharing a bit, with the multiplexer conditions taken into account.
  const byName = new Map(m.signals.map((s) => [s.name, s]));
  const owners = new Map<number, number[]>();
  bitsOf.forEach((bits, j) => {
    for (const bit of bits) {
      const list = owners.get(bit);
      if (list) list.push(j);
      else owners.set(bit, [j]);
    }
  });
  const reported = new Set<number>();
  for (const list of owners.values()) {
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const i = list[x] as number;
        const j = list[y] as number;
        const a = m.signals[i] as SignalDraft;
        const b = m.signals[j] as SignalDraft;
        if (i === j || reported.has(i * 65536 + j) || !canCoexist(presence(a, byName), presence(b, byName))) continue;
        reported.add(i * 65536 + j);
        warn(b.location, `signals ${a.name} and ${b.name} overlap in message ${m.name}`);
      }
    }
  }
}
