/**
 * Generated decoder for plain (non-multiplexed) messages: one function per message whose body reads
 * every signal with inlined byte offsets, shifts and masks and returns one object literal. This is
 * the runtime's hot path; a generated literal gives V8 one fixed object shape instead of a keyed
 * store per signal.
 *
 * Only numbers the compiler computed go into the source text; signal names are emitted through
 * JSON.stringify (a valid, escaped property key) and floats/wide signals call their compiled reader.
 */
import type { SignalCodec } from './signal-codec.js';

export type FlatDecoder = (data: Uint8Array) => Record<string, number>;

function num(x: number): string {
  return `(${Object.is(x, -0) ? '-0' : String(x)})`;
}

function integerExpression(sc: SignalCodec): string {
  const terms = sc.pieces.map((p) => {
    const mask = (1 << p.bits) - 1;
    const part = p.shift === 0 ? `(d[${p.byte}] & ${mask})` : `((d[${p.byte}] >> ${p.shift}) & ${mask})`;
    return p.weight === 0 ? part : `${part} * ${2 ** p.weight}`;
  });
  return terms.join(' + ');
}

/**
 * Builds the decoder, or undefined when the message has no signals to generate for.
 * @param scaling - physical (`raw * scale + offset`) or raw values
 * @throws {never} generation only emits numbers and JSON-escaped names
 */
export function generateFlatDecoder(codecs: readonly SignalCodec[], scaling: boolean): FlatDecoder | undefined {
  // An object literal would turn a "__proto__" key into a prototype change; leave that to the generic loop.
  if (codecs.length === 0 || codecs.some((c) => c.name === '__proto__')) return undefined;
  const lines: string[] = [];
  const fields: string[] = [];
  codecs.forEach((sc, i) => {
    const s = sc.signal;
    if (s.float !== false || sc.wide) {
      lines.push(`const v${i} = Number(R[${i}](d));`);
    } else {
      lines.push(`let v${i} = ${integerExpression(sc)};`);
      if (s.signed) lines.push(`if (v${i} >= ${2 ** (s.length - 1)}) v${i} -= ${2 ** s.length};`);
    }
    const identity = s.float === false && sc.scale === 1 && sc.offset === 0;
    const value = scaling && !identity ? `v${i} * ${num(sc.scale)} + ${num(sc.offset)}` : `v${i}`;
    fields.push(`${JSON.stringify(sc.name)}: ${value}`);
  });
  const body = `return function decodeFlat(d) {\n${lines.join('\n')}\nreturn { ${fields.join(', ')} };\n};`;
  const factory = new Function('R', body) as (readers: readonly SignalCodec['read'][]) => FlatDecoder;
  return factory(codecs.map((c) => c.read));
}
