/**
 * Table-driven hex digits for the hot loops of the text readers and writers: a lookup per character
 * is several times faster than parseInt on a slice, and readers parse millions of bytes.
 */

/** Value of an ASCII hex digit by char code, -1 for anything else. */
export const HEX_VALUE: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    t[65 + i] = 10 + i;
    t[97 + i] = 10 + i;
  }
  return t;
})();

/** Value of the hex digit at `s[i]`, or -1. */
export function hexDigit(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? (HEX_VALUE[c] as number) : -1;
}

const UPPER: string[] = [];
const LOWER: string[] = [];
for (let b = 0; b < 256; b++) {
  UPPER.push(b.toString(16).toUpperCase().padStart(2, '0'));
  LOWER.push(b.toString(16).padStart(2, '0'));
}

/** Two upper-case hex digits for a byte. */
export function byteHexUpper(b: number): string {
  return UPPER[b & 0xff] as string;
}

/** Lower-case hex without separators. */
export function bytesToHexLower(data: Uint8Array): string {
  let s = '';
  for (let i = 0; i < data.length; i++) s += LOWER[data[i] as number] as string;
  return s;
}

/** Upper-case hex without separators. */
export function bytesToHexUpper(data: Uint8Array): string {
  let s = '';
  for (let i = 0; i < data.length; i++) s += UPPER[data[i] as number] as string;
  return s;
}

/** Upper-case hex bytes separated by single spaces. */
export function bytesToSpacedHex(data: Uint8Array): string {
  let s = '';
  for (let i = 0; i < data.length; i++) s += (i === 0 ? '' : ' ') + (UPPER[data[i] as number] as string);
  return s;
}
