/**
 * Channel names. ecu-ai names channels like SocketCAN interfaces (`can0`); Vector and PEAK formats
 * number them from 1. Channel N of a file is `can{N-1}`, the mapping python-can also uses
 * (its channel 0 is ASC/BLF channel 1), so a file round-trips through both tools unchanged.
 */

// Readers name a channel per frame; the common numbers share one string each.
const NAMES: string[] = Array.from({ length: 256 }, (_, n) => `can${n - 1}`);

/** `can{n-1}` for a 1-based channel number from a file. */
export function channelFromNumber(n: number): string {
  return NAMES[n] ?? `can${n - 1}`;
}

/**
 * The 1-based channel number to write for a channel name: trailing digits k give k+1
 * (`can0` → 1, `vcan3` → 4); a name without digits goes to channel 1.
 */
export function channelToNumber(channel: string): number {
  let end = channel.length;
  let start = end;
  while (start > 0) {
    const c = channel.charCodeAt(start - 1);
    if (c < 48 || c > 57) break;
    start--;
  }
  if (start === end) return 1;
  const n = Number(channel.slice(start, end));
  return Number.isSafeInteger(n) ? n + 1 : 1;
}
