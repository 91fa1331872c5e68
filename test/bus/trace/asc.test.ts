import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TraceParseError } from '../../../bus/errors.js';
import type { CanFrame } from '../../../bus/frame.js';
import { AscParser, openTraceReader, parseAscText } from '../../../bus/trace/index.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { hasSharedData, sharedPath, sharedSkipReason } from '../../helpers/shared-data.js';
import { describeTraceFormat } from './trace-format.contract.js';
import { readAll, tempDir } from './helpers.js';

// ASC error frames record only the channel: no id, data or direction.
describeTraceFormat({
  ext: '.asc',
  normalize: (f: CanFrame): CanFrame =>
    f.error ? { ...f, id: 0, extended: false, dlc: 0, data: new Uint8Array(0), tx: undefined } : f,
});

const HEADER = 'date Sat Sep 30 03:06:13.191 pm 2017\nbase hex  timestamps absolute\ninternal events logged\n';
const START = new Date(2017, 8, 30, 15, 6, 13, 191).getTime() / 1000;

describe('Vector ASC', () => {
  it.skipIf(!hasSharedData)(`skips a cut last line with a warning, wherever the line is cut ${sharedSkipReason}`, async () => {
    const tmp = tempDir();
    try {
      const text = readFileSync(sharedPath('traces', 'python-can', 'logfile.asc'), 'latin1');
      const lines = text.split('\n');
      // Line 26 is a classic frame, line 33 a CAN FD frame; what follows them is dropped as a recording that stopped.
      for (const lineNo of [26, 33]) {
        const before = (await readAllText(tmp, lines.slice(0, lineNo - 1).join('\n') + '\n')).frames;
        const line = lines[lineNo - 1] as string;
        const dataEnd = line.search(/\d\d\s*(Length|\s\d{6})/);
        for (const cut of [4, 12, 16, 30, 45, dataEnd]) {
          const file = tmp.file(`cut-${lineNo}-${cut}.asc`);
          writeFileSync(file, lines.slice(0, lineNo - 1).join('\n') + '\n' + line.slice(0, cut), 'latin1');
          for (const lenient of [false, true]) {
            const reader = await readAllWith(file, lenient);
            expect(reader.frames.length, `line ${lineNo} cut at ${cut}`).toBe(before.length);
            expect(reader.skipped, `line ${lineNo} cut at ${cut}`).toBe(1);
            expect(reader.warnings).toEqual([expect.stringContaining(`${file}:${lineNo}: the last line is cut short`)]);
          }
        }
      }
      // Whole files without a final newline lose nothing and warn of nothing.
      for (const whole of [text.trimEnd(), lines.slice(0, 26).join('\n')]) {
        const file = tmp.file('whole.asc');
        writeFileSync(file, whole, 'latin1');
        const reader = await readAllWith(file, false);
        expect(reader.warnings).toEqual([]);
        expect(reader.skipped).toBe(0);
      }
      expect((await readAllWith(tmp.file('whole.asc'), false)).frames.at(-1)?.id).toBe(0x6f8);
    } finally {
      tmp.remove();
    }
  });

  it('makes times absolute from the date header', () => {
    const [f] = parseAscText(`${HEADER}   2.500000 1  123             Rx   d 2 01 02\n`);
    expect(f?.timestamp).toBeCloseTo(START + 2.5, 6);
    expect(f).toMatchObject({ channel: 'can0', id: 0x123, dlc: 2, data: new Uint8Array([1, 2]) });
  });

  it('takes the start from the Triggerblock when python-can 4.1 mangled the date line', () => {
    // python-can strips the microseconds past the millisecond with str.replace, which also cuts the
    // same digits out of the year: ".123026 PM 2026" becomes ".123 PM 2".
    const mangled = 'date Sat Sep 30 03:06:13.191 PM 2\nbase hex  timestamps absolute\ninternal events logged\n';
    const [f] = parseAscText(`${mangled}Begin Triggerblock Sat Sep 30 03:06:13.191 PM 2017\n   0.000000 Start of measurement\n   2.500000 1  123  Rx   d 1 07\n`);
    expect(f?.timestamp).toBeCloseTo(START + 2.5, 6);
    // Without a Triggerblock date, the first event is an error that names the date.
    expect(() => parseAscText(`${mangled}   2.500000 1  123  Rx   d 1 07\n`, { file: 'py.asc' })).toThrow(
      /^py\.asc:4: unreadable date "Sat Sep 30 03:06:13\.191 PM 2" in the header, and no Begin Triggerblock date/,
    );
  });

  it('reads decimal bases and relative timestamps', () => {
    const frames = parseAscText('base dec  timestamps relative\n 1.0 2  291  Tx  d 2 10 255\n 0.5 2  100x Rx  d 1 7\n');
    expect(frames.map((f) => [f.timestamp, f.id, f.extended, f.tx === true, [...f.data]])).toEqual([
      [1, 291, false, true, [10, 255]],
      [1.5, 100, true, false, [7]],
    ]);
  });

  it('reads CANFD lines with and without a symbolic name, and classic frames logged as CANFD', () => {
    const frames = parseAscText(
      '  1.0 CANFD   2 Rx        300  Generic_Name_12   1 0 9 12 01 02 03 04 05 06 07 08 09 0A 0B 0C   102203  133   303000 e0006659\n' +
        '  2.0 CANFD   3 Tx     50005x   0 1 5 0 140000 73 200050 7a60\n' +
        '  3.0 CANFD   1 Rx        7FF   0 0 2  2 AA BB   0 0 0 0\n',
    );
    expect(frames[0]).toMatchObject({ fd: true, brs: true, esi: false, dlc: 9, channel: 'can1' });
    expect(frames[1]).toMatchObject({ fd: false, rtr: true, dlc: 5, extended: true, tx: true });
    expect(frames[2]).toMatchObject({ fd: false, rtr: false, dlc: 2 });
  });

  it('passes over event lines and reads error frames', () => {
    const frames = parseAscText(`${HEADER}Begin Triggerblock Sat Sep 30 03:06:13.191 pm 2017\n   0.000000 Start of measurement\n` +
      '   0.015991 CAN 1 Status:chip status error passive - TxErr: 132 RxErr: 0\n   1.015991 1  Statistic: D 0 R 0 XD 0 XR 0 E 0 O 0 B 0.00%\n' +
      '   2.501000 1 ErrorFrame\n   3.297743 1  J1939TP FEE3p        6    0  0   -   Rx   d 23 A0\nEnd TriggerBlock\n');
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ error: true, channel: 'can0' });
  });

  it('names file, line and column of a malformed line', () => {
    expect(() => parseAscText(`${HEADER}   1.0 1  12Q  Rx d 1 00\n`, { file: 'f.asc' })).toThrow(/^f\.asc:4:\d+: /);
    expect(() => parseAscText('   1.0 1  123  Rx d 8 00\n', { file: 'f.asc' })).toThrow(/8 data bytes/);
    expect(() => parseAscText('hello\n')).toThrow(TraceParseError);
  });

  it('throws only TraceParseError on random text', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.stringMatching(/^ *[0-9.]{1,6} (CANFD )?[0-9]{1,2} +[0-9A-Fa-fx]{1,9} +(Rx|Tx) +[dr01 ] ?[0-9a-f ]{0,40}$/),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        try {
          parseAscText(lines.join('\n'));
        } catch (err) {
          expect(err).toBeInstanceOf(TraceParseError);
        }
      }),
      { numRuns: 1500 },
    );
  });
});

/** What a parser makes of a line: a comparable frame, null, or the error with its column. */
function outcome(p: AscParser, l: string): unknown {
  try {
    const f = p.parse(l);
    return f === null ? null : { ...f, data: [...f.data], timestamp: String(f.timestamp) };
  } catch (err) {
    return `${(err as Error).message} @${String((err as { column?: number }).column)}`;
  }
}

/** Checks the fast and the general path read runs of `line` alike; returns how many frames they gave. */
function framesReadAlike(line: fc.Arbitrary<string>): number {
  let frames = 0;
  fc.assert(
    fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
      const fast = new AscParser();
      const general = new AscParser({ fastPath: false });
      for (const l of lines) {
        const a = outcome(fast, l);
        expect(a, l).toEqual(outcome(general, l));
        if (a !== null && typeof a === 'object') frames++;
      }
    }),
    { numRuns: 2000 },
  );
  return frames;
}

describe('ASC fast path', () => {
  it('reads every line exactly as the general path does, in hex and decimal, absolute and relative', () => {
    const hex2 = fc.integer({ min: 0, max: 255 }).map((b) => b.toString(16).toUpperCase().padStart(2, '0'));
    const gap = fc.constantFrom(' ', ' ', '   ', '\t', '');
    const line = fc
      .tuple(
        fc.oneof(fc.integer({ min: 0, max: 1e12 }).map((us) => (us / 1e6).toFixed(6)), fc.stringMatching(/^[0-9.]{0,20}$/)),
        fc.oneof(fc.integer({ min: 1, max: 16 }).map(String), fc.constantFrom('CANFD', '1234567890123456', 'x')),
        fc.oneof(fc.stringMatching(/^[0-9A-F]{1,9}[xX]?$/), fc.constantFrom('123', '7FF', '800', '1FFFFFFFx', 'ErrorFrame', 'x')),
        fc.constantFrom('Rx', 'Tx', 'rx', 'TX', 'Rxx', 'Statistic:'),
        fc.constantFrom('d', 'd', 'D', 'r', 'dd'),
        fc.oneof(fc.integer({ min: 0, max: 15 }).map((d) => d.toString(16)), fc.constantFrom('08', '10', 'g')),
        fc.array(fc.oneof(hex2, hex2, hex2, fc.constantFrom('A', '0AB', 'ZZ')), { maxLength: 10 }),
        fc.constantFrom('', '', '  Length = 1 BitCount = 2', ' 1'),
        fc.tuple(gap, gap, gap, gap, gap, gap),
      )
      .map(([t, ch, id, dir, kind, dlc, data, tail, g]) => `${g[0]}${t}${g[1] || ' '}${ch}${g[2] || ' '}${id}${g[3] || ' '}${dir}${g[4] || ' '}${kind}${g[5] || ' '}${dlc} ${data.join(' ')}${tail}`);
    const header = fc.constantFrom('base hex  timestamps absolute', 'base dec  timestamps relative', 'base hex  timestamps relative', 'date Sat Sep 30 03:06:13.191 pm 2017');
    const frames = framesReadAlike(fc.oneof(line, line, line, header));
    // The generator must make enough well-formed frame lines for the comparison to mean something;
    // runs give about 290-360 of them, so the guard sits well below the spread of random seeds.
    expect(frames).toBeGreaterThan(150);
  });
});

describe('ASC fast path for CANFD lines', () => {
  it('reads every CANFD line exactly as the general path does', () => {
    const hex2 = fc.integer({ min: 0, max: 255 }).map((b) => b.toString(16).toUpperCase().padStart(2, '0'));
    const gap = fc.constantFrom(' ', ' ', '   ', '\t');
    const fdLength = fc.constantFrom(0, 1, 3, 8, 8, 12, 16, 20, 24, 32, 48, 64, 64, 65);
    const line = fc
      .tuple(
        fc.oneof(fc.integer({ min: 0, max: 1e12 }).map((us) => (us / 1e6).toFixed(6)), fc.constantFrom('1.', '.5', '1..2')),
        fc.constantFrom('CANFD', 'CANFD', 'CANFD', 'canfd', 'CANFDX'),
        fc.oneof(fc.integer({ min: 1, max: 16 }).map(String), fc.constantFrom('x', '1234567890123456')),
        fc.constantFrom('Rx', 'Tx', 'rx', 'Rxx'),
        fc.oneof(fc.stringMatching(/^[0-9A-F]{1,9}[xX]?$/), fc.constantFrom('100', '7FF', '800', '1FFFFFFFx', 'ErrorFrame')),
        fc.constantFrom('', '', '', 'Name '),
        fc.constantFrom('0', '1', '1', '2'),
        fc.constantFrom('0', '1', '01'),
        fc.oneof(fc.constant('auto'), fc.constant('auto'), fc.constant('auto'), fc.integer({ min: 0, max: 15 }).map((d) => d.toString(16)), fc.constantFrom('0f', 'g')),
        fdLength,
        fc.array(fc.oneof(hex2, hex2, hex2, hex2, fc.constantFrom('A', '0AB')), { minLength: 64, maxLength: 64 }),
        fc.constantFrom(0, 0, 0, 0, 0, -1, 1),
        fc.oneof(fc.integer({ min: 0, max: 0xffff }).map((f) => (f & 0x7010).toString(16)), fc.constantFrom('', 'zz', '123456789')),
        fc.constantFrom('', '        0        0        0', ' x'),
        gap,
      )
      .map(([t, canfd, ch, dir, id, name, brs, esi, dlcChoice, length, bytes, extra, flags, tail, g]) => {
        let dlc = dlcChoice;
        const data = bytes.slice(0, Math.max(0, Math.min(64, length + extra)));
        if (dlc === 'auto') dlc = Math.max(0, [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64].indexOf(length)).toString(16);
        const dataText = data.length > 0 ? `${data.join(' ')}${g}` : '';
        return ` ${t} ${canfd}${g}${ch} ${dir}${g}${id}${g}${name}${brs} ${esi}${g}${dlc} ${length}${g}${dataText}0 0${g}${flags}${tail}`;
      });
    const header = fc.constantFrom('base hex  timestamps absolute', 'base hex  timestamps relative', 'base dec  timestamps absolute');
    const frames = framesReadAlike(fc.oneof(line, line, line, line, header));
    expect(frames).toBeGreaterThan(150);
  });
});

async function readAllWith(file: string, lenient: boolean): Promise<{ frames: CanFrame[]; skipped: number; warnings: readonly string[] }> {
  const reader = openTraceReader(file, { lenient });
  const frames: CanFrame[] = [];
  for await (const f of reader) frames.push(f);
  return { frames, skipped: reader.skipped, warnings: reader.warnings };
}

async function readAllText(tmp: ReturnType<typeof tempDir>, text: string): Promise<{ frames: CanFrame[] }> {
  writeFileSync(tmp.file('part.asc'), text, 'latin1');
  return readAll(tmp.file('part.asc'));
}
