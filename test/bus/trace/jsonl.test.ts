import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TraceParseError } from '../../../bus/errors.js';
import { makeFrame } from '../../../bus/frame.js';
import { frameFromJsonLine, frameToJsonLine } from '../../../bus/trace/index.js';
import { describeTraceFormat } from './trace-format.contract.js';
import { frameArb } from './helpers.js';

describeTraceFormat({ ext: '.jsonl' });

describe('JSON lines', () => {
  it('prints the contract keys in order, microsecond times and lowercase hex', () => {
    const frame = makeFrame({ timestamp: 1.2345674, id: 291, data: [0xde, 0xad, 0xbe, 0xef, 0, 0x11, 0x22, 0x33] });
    expect(frameToJsonLine(frame)).toBe('{"t":1.234567,"ch":"can0","id":291,"ext":false,"fd":false,"brs":false,"rtr":false,"err":false,"dlc":8,"data":"deadbeef00112233"}');
  });

  it('adds msg and sig after the contract keys', () => {
    const line = frameToJsonLine(makeFrame({ id: 1, data: [1] }), { msg: 'M', sig: { S: 1.5, E: 'On' } });
    expect(line.endsWith(',"data":"01","msg":"M","sig":{"S":1.5,"E":"On"}}')).toBe(true);
  });

  it('keeps esi and tx only in the file form, and reads them back', () => {
    const frame = makeFrame({ id: 1, fd: true, esi: true, data: [1], tx: true });
    expect(frameToJsonLine(frame)).not.toContain('esi');
    const back = frameFromJsonLine(frameToJsonLine(frame, undefined, { extras: true }));
    expect(back).toMatchObject({ esi: true, tx: true });
  });

  it('round-trips any frame', () => {
    fc.assert(
      fc.property(frameArb, (f) => {
        expect(frameFromJsonLine(frameToJsonLine(f, undefined, { extras: true }))).toEqual(f);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects objects that are not frames with a TraceParseError naming the place', () => {
    const bad = ['{', '[]', '{"t":1}', '{"t":1,"ch":"c","id":4096,"ext":false,"fd":false,"brs":false,"rtr":false,"err":false,"dlc":0,"data":""}',
      '{"t":1,"ch":"c","id":1,"ext":false,"fd":false,"brs":false,"rtr":false,"err":false,"dlc":2,"data":"01"}'];
    for (const line of bad) {
      expect(() => frameFromJsonLine(line, { file: 'a.jsonl', line: 3 }), line).toThrow(/^a\.jsonl:3: /);
    }
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (s) => {
        try {
          frameFromJsonLine(s);
        } catch (err) {
          expect(err).toBeInstanceOf(TraceParseError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
