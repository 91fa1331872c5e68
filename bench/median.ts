/** The middle value of a sample (the upper one of the two for an even count), for bench summaries. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}
