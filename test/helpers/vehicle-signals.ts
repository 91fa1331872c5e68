/** Vehicle mappings written inline in tests: catalog name → one DBC signal, taken as is. */
import type { ResolvedSignal } from '../../runtime/vehicle/types.js';

export interface PlainSource {
  readonly message: string;
  readonly signal: string;
  readonly channel?: string;
  readonly muxValue?: number;
  readonly timeoutMs?: number;
}

/** The resolved signals of an inline mapping, in its order (`line` is the row). */
export function plainVehicleSignals(table: Readonly<Record<string, PlainSource>>, file = 'test mapping'): ReadonlyMap<string, ResolvedSignal> {
  return new Map(
    Object.entries(table).map(([name, s], i): [string, ResolvedSignal] => [
      name,
      { name, message: s.message, signals: [s.signal], ...(s.channel ? { channel: s.channel } : {}), ...(s.muxValue === undefined ? {} : { muxValue: s.muxValue }), ...(s.timeoutMs ? { timeoutMs: s.timeoutMs } : {}), transform: null, file, line: i + 1 },
    ]),
  );
}
