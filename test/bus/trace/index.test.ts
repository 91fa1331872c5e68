import { describe, expect, it } from 'vitest';
import { UnsupportedTraceFormatError } from '../../../bus/errors.js';
import { openTraceReader, openTraceWriter, TRACE_READERS, TRACE_WRITERS } from '../../../bus/trace/index.js';

describe('trace format registry', () => {
  it('chooses the format by extension, case-insensitively', () => {
    expect(openTraceReader('x.ASC').format).toBe('.asc');
    expect(Object.keys(TRACE_READERS).sort()).toEqual(['.asc', '.blf', '.jsonl', '.log', '.mf4', '.trc']);
    expect(Object.keys(TRACE_WRITERS).sort()).toEqual(['.asc', '.blf', '.jsonl', '.log', '.mf4', '.trc']);
  });

  it('lists the known extensions for an unknown one', async () => {
    expect(() => openTraceReader('drive.mdf')).toThrow(UnsupportedTraceFormatError);
    expect(() => openTraceReader('drive.mdf')).toThrow(/\.asc.*\.blf/);
    await expect(openTraceWriter('drive.mdf')).rejects.toThrow(/cannot write/);
  });
});
