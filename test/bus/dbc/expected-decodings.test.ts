/**
 * The correctness bar: every decoding recorded by cantools (and, for two opendbc files cantools
 * cannot read or decode, by canmatrix) in ../shared/data/dbc/expected must come out the same here.
 * Integers exactly (bigints for 64-bit raws), floats to 1e-9 relative, value names, DecodeErrors,
 * and the raw re-encoding byte for byte.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DbcInvalidError, DbcParseError, DecodeError } from '../../../bus/errors.js';
import { bytesToHex, hexToBytes } from '../../../bus/frame.js';
import { compileDatabase, loadDbcFile, type DbcMessage } from '../../../bus/dbc/index.js';
import { hasSharedData, sharedPath, sharedSkipReason } from '../../helpers/shared-data.js';

type Json = null | boolean | number | string | bigint | Json[] | { [k: string]: Json };

interface Sample {
  label: string;
  data_hex: string;
  raw?: Record<string, number | string | bigint>;
  phys?: Record<string, number | string | bigint>;
  choices?: Record<string, string>;
  reencoded_hex?: string;
  error?: string;
}

interface ExpectedSignal {
  name: string;
  start?: number;
  start_bit_dbc?: number;
  length: number;
  byte_order: string;
  is_signed: boolean;
  is_float: boolean;
  scale: number;
  offset: number;
  minimum?: number | null;
  maximum?: number | null;
  is_multiplexer?: boolean;
  multiplexer_ids?: number[] | null;
  multiplexer_signal?: string | null;
  choices?: Record<string, string>;
}

interface ExpectedMessage {
  name: string;
  frame_id: number;
  is_extended: boolean;
  is_fd: boolean;
  length: number;
  is_multiplexed?: boolean;
  signals: ExpectedSignal[];
  samples: Sample[];
}

interface ExpectedFile {
  file: string;
  summary?: { messages: number; extended: number; fd: number; multiplexed: number; signals: number };
  messages?: ExpectedMessage[];
}

interface IndexEntry {
  file: string;
  strict_load: string;
  nonstrict_load: string | null;
}

/** JSON.parse would round 64-bit integers; quote long integer literals first and revive them as bigints. */
function parseJsonWithBigInts(text: string): Json {
  const quoted = text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"__bigint__$2"');
  return JSON.parse(quoted, (_k, v: unknown) => (typeof v === 'string' && v.startsWith('__bigint__') ? BigInt(v.slice(10)) : v)) as Json;
}

function readExpected(name: string): ExpectedFile {
  return parseJsonWithBigInts(readFileSync(sharedPath('dbc', 'expected', name), 'utf8')) as unknown as ExpectedFile;
}

/** cantools is stricter or looser than ecu-ai in these places, on purpose. */
const STRICT_DIFFERENCES: Record<string, string> = {
  // A VAL_ names UI_mapSpeedLimit, which message UI_driverAssistRoadSign does not have; strict mode refuses dangling references.
  'opendbc/tesla_can.dbc': 'stricter',
};

function expectValue(actual: unknown, expected: number | string | bigint, where: string): void {
  if (expected === 'NaN') return void expect(Number.isNaN(actual), where).toBe(true);
  if (expected === 'Infinity' || expected === '-Infinity') return void expect(actual, where).toBe(Number(expected));
  // Raw 64-bit integers must be exact (bigints); their physical values are doubles.
  if (typeof expected === 'bigint' && typeof actual === 'bigint') return void expect(actual, where).toBe(expected);
  if (typeof expected === 'bigint') return expectValue(actual, Number(expected), where);
  if (typeof expected === 'string') return void expect(actual, where).toBe(expected);
  if (Number.isInteger(expected) && Number.isInteger(actual)) return void expect(actual, where).toBe(expected);
  const a = typeof actual === 'bigint' ? Number(actual) : (actual as number);
  const tol = 1e-9 * Math.max(Math.abs(a), Math.abs(expected), 1e-300);
  expect(Math.abs(a - expected), `${where}: ${a} vs ${expected}`).toBeLessThanOrEqual(tol);
}

function checkSignals(m: DbcMessage, em: ExpectedMessage): void {
  for (const es of em.signals) {
    const s = m.signals.find((x) => x.name === es.name);
    expect(s, `${em.name}.${es.name}`).toBeDefined();
    if (!s) continue;
    const where = `${em.name}.${es.name}`;
    expect(s.startBit, where).toBe(es.start ?? es.start_bit_dbc);
    expect([s.length, s.byteOrder, s.signed, s.float !== false, s.scale, s.offset], where).toEqual([
      es.length, es.byte_order, es.is_signed, es.is_float, es.scale, es.offset,
    ]);
    for (const [mine, theirs] of [[s.minimum, es.minimum], [s.maximum, es.maximum]] as const) {
      if (theirs === null) expect(mine, where).toBeUndefined();
      else if (theirs !== undefined) expectValue(mine, theirs, `${where} range`);
    }
    if (es.is_multiplexer !== undefined) {
      expect([s.isMultiplexer, s.multiplexerSignal ?? null, s.multiplexerIds ?? null], where).toEqual([
        es.is_multiplexer, es.multiplexer_signal, es.multiplexer_ids,
      ]);
    }
    if (es.choices) expect(Object.fromEntries([...s.choices].map(([k, v]) => [String(k), v])), where).toEqual(es.choices);
  }
}

const index = hasSharedData ? (JSON.parse(readFileSync(sharedPath('dbc', 'expected', 'index.json'), 'utf8')) as IndexEntry[]) : [];
// KCD is XML and not supported yet: its expectations are left out here.
const dbcEntries = index.filter((e) => e.file.endsWith('.dbc'));

describe.skipIf(!hasSharedData)(`decodings recorded by cantools and canmatrix ${sharedSkipReason}`, () => {
  it('covers every DBC the index lists', () => {
    expect(dbcEntries.length).toBeGreaterThanOrEqual(28);
  });

  it.each(dbcEntries.map((e) => [e.file, e] as const))('%s loads, and strict mode accepts or refuses it as cantools does', async (file, entry) => {
    const path = sharedPath('dbc', file);
    const { warnings } = await loadDbcFile(path);
    const strict = loadDbcFile(path, { strict: true });
    if (entry.strict_load === 'ok' && STRICT_DIFFERENCES[file] === undefined) {
      await expect(strict).resolves.toBeDefined();
      expect(warnings).toEqual([]);
    } else {
      const err = await strict.then(() => undefined, (e: unknown) => e);
      expect(err instanceof DbcInvalidError || err instanceof DbcParseError, `${file} must fail in strict mode`).toBe(true);
      expect((err as Error).message).toContain(file);
    }
  });

  it.each(dbcEntries.map((e) => [e.file] as const))('%s decodes every recorded sample as recorded', async (file) => {
    const base = file.replace('/', '__');
    const cantools = readExpected(`${base}.json`);
    let canmatrix: ExpectedFile | undefined;
    try {
      canmatrix = readExpected(`${base}.canmatrix.json`);
    } catch {
      canmatrix = undefined;
    }
    const { database } = await loadDbcFile(sharedPath('dbc', file));
    const compiled = compileDatabase(database);
    if (cantools.summary) {
      const s = cantools.summary;
      expect(database.messages.length).toBe(s.messages);
      expect(database.messages.filter((m) => m.extended).length).toBe(s.extended);
      expect(database.messages.filter((m) => m.isMultiplexed).length).toBe(s.multiplexed);
      expect(database.messages.reduce((n, m) => n + m.signals.length, 0)).toBe(s.signals);
      // cantools marks FD only from VFrameFormat; a payload over 8 bytes is FD here as well.
      expect(database.messages.filter((m) => m.fd && !(m.length > 8)).length).toBe(s.fd - database.messages.filter((m) => m.fd && m.length > 8 && s.fd > 0).length);
    }
    let checked = 0;
    for (const source of [cantools, canmatrix]) {
      for (const em of source?.messages ?? []) {
        const codec = compiled.byName(em.name);
        expect(codec, em.name).toBeDefined();
        if (!codec) continue;
        const m = codec.message;
        expect([m.id, m.extended, m.length], em.name).toEqual([em.frame_id, em.is_extended, em.length]);
        if (em.is_fd || m.length <= 8) expect(m.fd, em.name).toBe(em.is_fd);
        checkSignals(m, em);
        for (const sample of em.samples) {
          const where = `${file} ${em.name} ${sample.label}`;
          const data = hexToBytes(sample.data_hex);
          if (sample.error !== undefined) {
            // cantools cannot unpack messages whose signals overlap; canmatrix's record of the same file stands instead.
            if (sample.error.includes('unpacking failed') && canmatrix) continue;
            const err = (() => {
              try {
                codec.decode(data);
                return undefined;
              } catch (e) {
                return e;
              }
            })();
            expect(err, where).toBeInstanceOf(DecodeError);
            const detail = sample.error.replace(/^DecodeError: /, '');
            if (detail.startsWith('expected multiplexer id')) expect((err as Error).message, where).toContain(detail);
            checked++;
            continue;
          }
          const raw = codec.decodeRaw(data);
          const phys = codec.decode(data);
          expect(Object.keys(raw).sort(), where).toEqual(Object.keys(sample.raw ?? {}).sort());
          for (const [k, v] of Object.entries(sample.raw ?? {})) expectValue(raw[k], v, `${where} raw ${k}`);
          for (const [k, v] of Object.entries(sample.phys ?? {})) expectValue(phys[k], v, `${where} phys ${k}`);
          if (sample.choices) {
            const named = codec.decode(data, { choices: true });
            const names = Object.fromEntries(Object.entries(named).filter(([, v]) => typeof v === 'string'));
            expect(names, where).toEqual(sample.choices);
          }
          if (sample.reencoded_hex !== undefined) {
            expect(bytesToHex(codec.encode(raw, { scaling: false, strict: false })), where).toBe(sample.reencoded_hex);
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(cantools.messages?.length ? 1 : 0);
  });
});
