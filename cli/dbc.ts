/**
 * `ecu-ai dbc`: show a DBC, decode a payload into physical values, encode values into a payload.
 */
import { subcommandHelps } from './subcommand-help.js';
import { compileDatabase, loadDbcFile, type CompiledDatabase, type DbcDatabase, type DbcSignal, type DbcWarning, type MessageCodec } from '../bus/dbc/index.js';
import { formatLocation } from '../bus/errors.js';
import { MAX_EXTENDED_ID, bytesToHex, hexToBytes, makeFrame } from '../bus/frame.js';
import { pgnOfId } from '../bus/j1939/index.js';
import { parseCliArgs } from './args.js';
import { EXIT_BAD_INPUT, EXIT_OK, UsageError, writeOut, type CliCommand, type CliIo } from './command.js';

const HELP = `Usage:
  ecu-ai dbc show DBC [--json] [--strict]
  ecu-ai dbc decode DBC ID|MESSAGE HEXDATA [--choices] [--raw] [--allow-truncated] [--strict]
  ecu-ai dbc encode DBC MESSAGE SIGNAL=VALUE... [--raw] [--padding] [--no-range-check] [--strict]

show     messages (id, length, FD/extended flags, J1939 PGN, cycle time, senders) and their signals
         (start|length, byte order, sign, scale/offset, range, unit, multiplexing); --json for
         the machine-readable form. Parser warnings go to stderr.
decode   prints a JSON object of the signals present in the payload (multiplexing resolved).
         ID is decimal or 0x-hex (standard ids are tried before extended ones, then a J1939
         parameter group by the id's PGN, whatever its source address); MESSAGE is a name.
         --choices prints value names instead of numbers where the DBC names them;
         --raw prints raw (unscaled) values.
encode   prints the payload as lowercase hex. VALUE is a number or a value name (VAL_).
         --raw takes raw values (integers, any width); --padding sets unused bits to 1;
         --no-range-check skips the DBC min/max check (the bit width is always checked).

--strict refuses a DBC with anything the parser would warn about (overlapping signals,
ids over 11 bits without the extended flag, signals outside their message, ...).
Exit codes: 0 ok, 2 bad input (unknown message, bad hex, value out of range, DBC error).`;

/** Bad input named on stderr without the whole help text: exit 2. */
class DbcInputError extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
}

async function load(file: string, strict: boolean): Promise<{ database: DbcDatabase; compiled: CompiledDatabase; warnings: DbcWarning[] }> {
  const { database, warnings } = await loadDbcFile(file, { strict });
  return { database, compiled: compileDatabase(database), warnings };
}

function findCodec(compiled: CompiledDatabase, file: string, key: string): MessageCodec {
  const byName = compiled.byName(key);
  if (byName) return byName;
  if (/^(0x[0-9a-f]+|\d+)$/i.test(key)) {
    const id = Number(key);
    // A 29-bit id no message has exactly may still name a J1939 parameter group by its PGN.
    const codec = compiled.byId(id, false) ?? compiled.byId(id, true) ?? (id <= MAX_EXTENDED_ID ? compiled.forFrame(makeFrame({ id, extended: true })) : undefined);
    if (codec) return codec;
  }
  throw new DbcInputError(`${file} has no message named or numbered "${key}"`);
}

/** JSON with 64-bit raw values written as exact integer literals (JSON.stringify refuses bigints). */
function toJson(values: Record<string, number | string | bigint>): string {
  const marked = JSON.stringify(values, (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000${v}` : v));
  return marked.replace(/"\\u0000(-?\d+)"/g, '$1');
}

function parseValue(text: string, raw: boolean): number | string | bigint {
  if (raw && /^-?\d+$/.test(text)) {
    const big = BigInt(text);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  const n = Number(text);
  return text.trim() !== '' && !Number.isNaN(n) ? n : text;
}

function describeSignal(s: DbcSignal): string {
  const mux = s.isMultiplexer ? (s.multiplexerSignal ? ` mux switch (if ${s.multiplexerSignal} in ${s.multiplexerIds?.join(',')})` : ' mux switch') : s.multiplexerSignal ? ` if ${s.multiplexerSignal} in ${s.multiplexerIds?.join(',')}` : '';
  const type = s.float ? `float${s.float}` : s.signed ? 'signed' : 'unsigned';
  const range = s.minimum === undefined ? '' : ` [${s.minimum}, ${s.maximum}]`;
  const choices = s.choices.size > 0 ? ` {${[...s.choices].slice(0, 4).map(([k, v]) => `${k}=${v}`).join(', ')}${s.choices.size > 4 ? ', ...' : ''}}` : '';
  return `  ${s.name.padEnd(24)} ${`${s.startBit}|${s.length}`.padStart(6)} ${s.byteOrder === 'little_endian' ? 'intel' : 'motorola'} ${type} x${s.scale} +${s.offset}${range}${s.unit ? ` ${s.unit}` : ''}${mux}${choices}`;
}

function showText(file: string, db: DbcDatabase, compiled: CompiledDatabase): string {
  const lines = [`${file}: ${db.messages.length} messages, ${db.nodes.length} nodes${db.version ? `, version "${db.version}"` : ''}`];
  for (const m of db.messages) {
    const codec = compiled.byName(m.name);
    const pgn = codec && compiled.isParameterGroup(codec) ? [`J1939 PGN 0x${pgnOfId(m.id).toString(16).toUpperCase().padStart(4, '0')}`] : [];
    const flags = [m.extended ? 'extended' : 'standard', ...(m.fd ? ['FD'] : []), ...(m.isMultiplexed ? ['multiplexed'] : []), ...pgn].join(' ');
    const cycle = m.cycleTimeMs === undefined ? '' : `, every ${m.cycleTimeMs} ms`;
    lines.push('', `0x${m.id.toString(16)} ${m.name}: ${m.length} bytes, ${flags}${cycle}${m.senders.length ? `, from ${m.senders.join(',')}` : ''}`);
    for (const s of m.signals) lines.push(describeSignal(s));
  }
  return lines.join('\n') + '\n';
}

function showJson(file: string, db: DbcDatabase, compiled: CompiledDatabase, warnings: readonly DbcWarning[]): string {
  const pgnOf = (name: string): number | null => {
    const codec = compiled.byName(name);
    return codec && compiled.isParameterGroup(codec) ? pgnOfId(codec.message.id) : null;
  };
  const messages = db.messages.map((m) => ({
    name: m.name, id: m.id, extended: m.extended, fd: m.fd, length: m.length, cycleTimeMs: m.cycleTimeMs ?? null, pgn: pgnOf(m.name),
    senders: m.senders, comment: m.comment ?? null, multiplexed: m.isMultiplexed,
    signals: m.signals.map((s) => ({
      name: s.name, startBit: s.startBit, length: s.length, byteOrder: s.byteOrder, signed: s.signed, float: s.float,
      scale: s.scale, offset: s.offset, minimum: s.minimum ?? null, maximum: s.maximum ?? null, unit: s.unit,
      receivers: s.receivers, multiplexer: s.isMultiplexer, multiplexerSignal: s.multiplexerSignal ?? null,
      multiplexerIds: s.multiplexerIds ?? null, choices: Object.fromEntries(s.choices), comment: s.comment ?? null,
    })),
  }));
  const nodes = db.nodes.map((n) => n.name);
  return JSON.stringify({ file, version: db.version, nodes, messages, warnings: warnings.map((w) => `${formatLocation(w.location)}: ${w.message}`) }) + '\n';
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs(args, {
    json: { type: 'boolean' }, strict: { type: 'boolean' }, choices: { type: 'boolean' }, raw: { type: 'boolean' },
    padding: { type: 'boolean' }, 'allow-truncated': { type: 'boolean' }, 'no-range-check': { type: 'boolean' },
  });
  const [sub, file, ...rest] = positionals;
  if (sub === undefined) throw new UsageError('missing subcommand (show, decode or encode)');
  if (!['show', 'decode', 'encode'].includes(sub)) throw new UsageError(`unknown subcommand "${sub}"`);
  if (file === undefined) throw new UsageError(`dbc ${sub} needs a DBC file`);
  const strict = values.strict ?? false;
  const raw = values.raw ?? false;
  const { database, compiled, warnings } = await load(file, strict);

  if (sub === 'show') {
    if (rest.length > 0) throw new UsageError(`dbc show takes one file, not "${rest.join(' ')}"`);
    for (const w of warnings) await writeOut(io.stderr, `warning: ${formatLocation(w.location)}: ${w.message}\n`);
    await writeOut(io.stdout, values.json ? showJson(file, database, compiled, warnings) : showText(file, database, compiled));
    return EXIT_OK;
  }
  if (sub === 'decode') {
    const [key, hex, ...extra] = rest;
    if (key === undefined || hex === undefined || extra.length > 0) throw new UsageError('dbc decode needs DBC, ID or MESSAGE, and HEXDATA');
    const codec = findCodec(compiled, file, key);
    let data: Uint8Array;
    try {
      data = hexToBytes(hex);
    } catch {
      throw new DbcInputError(`"${hex}" is not hex bytes (expected pairs of 0-9a-f, e.g. 01ff3c)`);
    }
    const opts = { allowTruncated: values['allow-truncated'] ?? false };
    const decoded = raw ? codec.decodeRaw(data, opts) : codec.decode(data, { ...opts, choices: values.choices ?? false });
    await writeOut(io.stdout, toJson(decoded) + '\n');
    return EXIT_OK;
  }
  const [key, ...assignments] = rest;
  if (key === undefined) throw new UsageError('dbc encode needs DBC, MESSAGE and SIGNAL=VALUE pairs');
  const codec = findCodec(compiled, file, key);
  const input: Record<string, number | string | bigint> = {};
  for (const a of assignments) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`"${a}" is not SIGNAL=VALUE`);
    input[a.slice(0, eq)] = parseValue(a.slice(eq + 1), raw);
  }
  const bytes = codec.encode(input, { scaling: !raw, strict: !(values['no-range-check'] ?? false), padding: values.padding ?? false });
  await writeOut(io.stdout, bytesToHex(bytes) + '\n');
  return EXIT_OK;
}

export const dbcCommand: CliCommand = {
  name: 'dbc',
  summary: 'show a DBC, decode and encode frames',
  help: HELP,
  subcommandHelp: subcommandHelps('dbc', HELP, ['show', 'decode', 'encode']),
  run,
};
