import { describe, expect, it } from 'vitest';
import { UnsupportedTraceFormatError } from '../../../bus/errors.js';
import { openTraceReader, openTraceWriter, TRACE_READERS, TRACE_WRITERS } from '../../../bus/trace/index.js';

describe('trace format registry', () => {
  it('chooses the format by extension, case-insensitively', () => {
    expect(openTraceReader('x.ASC').format).toBe('.asc');
    expect(Object.keys(TRACE_READERS).sort()).toEqual(['.asc', '.blf', '.jsonl', '.log', '.trc']);
    expect(Object.keys(TRACE_WRITERS).sort()).toEqual(['.asc', '.blf', '.jsonl', '.log', '.trc']);
  });

  it('lists the known extensions for an unknown one', async () => {
    expect(() => openTraceReader('drive.mf4')).toThrow(UnsupportedTraceFormatError);
    expect(() => openTraceReader('drive.mf4')).toThrow(/\.asc.*\.blf/);
    await expect(openTraceWriter('drive.mf4')).rejects.toThrow(/cannot write/);
  });
});
