/** Small numeric helpers shared by the vehicle models. */

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Linear interpolation in a table sampled evenly over [x0, x1]; clamps outside. */
export function interpolateEven(table: readonly number[], x0: number, x1: number, x: number): number {
  const n = table.length - 1;
  const pos = clamp(((x - x0) / (x1 - x0)) * n, 0, n);
  const i = Math.min(Math.floor(pos), n - 1);
  const a = table[i] as number;
  const b = table[i + 1] as number;
  return a + (b - a) * (pos - i);
}
