/** Hand-built feature windows for the domain tests: rows × named columns, everything else zero. */
export function makeWindow(columns: readonly string[], rows: number, fill: (row: number, set: (signal: string, value: number) => void) => void): Float32Array {
  const w = new Float32Array(rows * columns.length);
  const index = new Map(columns.map((c, i) => [c, i]));
  for (let r = 0; r < rows; r++) {
    fill(r, (signal, value) => {
      const c = index.get(signal);
      if (c === undefined) throw new Error(`no column ${signal}`);
      w[r * columns.length + c] = value;
    });
  }
  return w;
}
