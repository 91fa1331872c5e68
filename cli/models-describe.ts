/** `ecu-ai models describe DOMAIN [--json]`: the domain's model contract, for people or as JSON. */
import { DOMAINS, DOMAIN_NAMES, type DomainName } from '../domains/index.js';
import { parseCliArgs } from './args.js';
import { EXIT_OK, UsageError, writeOut, type CliIo } from './command.js';
import { contractView, type ContractView } from './model-contract-view.js';

const range = (r: readonly [number, number] | undefined): string => (r === undefined ? '' : `${r[0]}..${r[1]}`);

/** Columns padded to the widest cell, the last one free. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')}`.trimEnd());
}

/** Comma-separated names folded at about 100 columns. */
function wrap(names: readonly string[], indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const n of names) {
    if (line !== '' && line.length + n.length + 2 > 100) {
      lines.push(`${indent}${line},`);
      line = '';
    }
    line = line === '' ? n : `${line}, ${n}`;
  }
  if (line !== '') lines.push(`${indent}${line}`);
  return lines;
}

export function contractText(v: ContractView): string {
  const F = v.input.shape[1];
  const K = v.output.shape[1];
  const shipped = v.shipped ? `; shipped: ${v.shipped.name}@${v.shipped.version}, input "${v.shipped.input_name}", output "${v.shipped.output_name}"` : '';
  return [
    `${v.domain}: ${v.description}`,
    `  ${v.rate_hz} Hz, deadline ${v.deadline_ms} ms, ${v.criticality}; model name "${v.model}"${shipped}`,
    '',
    `Window: ${v.window.signals.length} signals at ${v.window.rate_hz} Hz, ${v.window.length} rows (${v.window.seconds} s), oldest row first; the domain builds the features from it`,
    ...wrap(v.window.signals, '  '),
    '',
    `Input: one float32 tensor [1, ${F}], any name (the manifest's inputs[0].name); the batch may be dynamic (-1 or a name)`,
    ...table([['index', 'name', 'unit', 'range', 'description'], ...v.input.features.map((f) => [String(f.index), f.name, f.unit, range(f.range), f.description])]),
    '',
    `Output: the first output, float32 [1, ${K}] (more values are ignored)`,
    ...table([['index', 'name', 'unit', 'meaning'], ...v.output.values.map((o) => [String(o.index), o.name, o.unit, o.meaning])]),
    `  read as: ${v.output.interpretation}`,
    '',
    'Manifest (manifest.json beside the .onnx files):',
    ...table(v.manifest.map((m) => [m.field, m.required ? 'required' : 'optional', m.rule])),
    '',
    'Loading also checks:',
    ...v.checks.map((c) => `  - ${c}`),
    '',
  ].join('\n');
}

export async function describeModel(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs(args, { json: { type: 'boolean' } });
  const name = positionals[0];
  if (name === undefined || positionals.length > 1) throw new UsageError(`models describe takes one DOMAIN (${DOMAIN_NAMES.join(', ')})`);
  if (!(DOMAIN_NAMES as readonly string[]).includes(name)) throw new UsageError(`models describe: unknown domain "${name}" (known: ${DOMAIN_NAMES.join(', ')})`);
  const view = contractView(DOMAINS[name as DomainName]);
  await writeOut(io.stdout, values.json === true ? `${JSON.stringify(view, null, 2)}\n` : contractText(view));
  return EXIT_OK;
}
