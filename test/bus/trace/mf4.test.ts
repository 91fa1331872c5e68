import { describe, expect, it } from 'vitest';
import type { CanFrame } from '../../../bus/frame.js';
import { openMf4Writer, openTraceReader, type Mf4WriteOptions } from '../../../bus/trace/index.js';
import { describeTraceFormat } from './trace-format.contract.js';
import { readAll, tempDir } from './helpers.js';

describeTraceFormat({ ext: '.mf4' });

function frames(n: number): CanFrame[] {
  const out: CanFrame[] = [];
  for (let i = 0; i < n; i++) {
    const fd = i % 3 === 0;
    const len = fd ? 64 : i % 9;
    out.push({
      timestamp: 1_700_000_000 + i * 0.0005, channel: i % 2 === 0 ? 'can0' : 'can1', id: i % 5 === 0 ? 0x18fef100 + (i % 256) : i % 0x7ff,
      extended: i % 5 === 0, fd, brs: fd && i % 2 === 0, esi: false, rtr: false, error: false, dlc: fd ? 15 : len,
      data: Uint8Array.from({ length: len }, (_, k) => (i + k) & 0xff),
    });
  }
  return out;
}

async function writeMf4(file: string, list: readonly CanFrame[], options: Mf4WriteOptions): Promise<void> {
  const w = await openMf4Writer(file, options);
  for (const f of list) await w.write(f);
  await w.close();
}

describe('ASAM MDF 4 data blocks', () => {
  const cases: Array<[string, Mf4WriteOptions]> = [
    ['one DT block', {}],
    ['DT blocks in a DL list, records spanning blocks', { blockBytes: 1000 }],
    ['DZ blocks (deflate) in a DL list', { blockBytes: 3000, compression: 'deflate' }],
    ['transposed DZ blocks under an HL list', { blockBytes: 2500, compression: 'transposed', headerList: true }],
    ['an unfinalized file (UnFinMF, last DT length not updated)', { unfinalized: true, blockBytes: 777 }],
  ];
  it.each(cases)('reads %s', async (_name, options) => {
    const tmp = tempDir();
    try {
      const list = frames(5000);
      await writeMf4(tmp.file('f.mf4'), list, options);
      const reader = openTraceReader(tmp.file('f.mf4'));
      const back: CanFrame[] = [];
      for await (const batch of reader.batches()) back.push(...batch);
      expect(back.length).toBe(list.length);
      back.forEach((f, i) => {
        const e = list[i] as CanFrame;
        expect({ ...f, timestamp: 0, data: Buffer.from(f.data).toString('hex') }).toEqual({ ...e, timestamp: 0, data: Buffer.from(e.data).toString('hex') });
        expect(Math.abs(f.timestamp - e.timestamp)).toBeLessThan(1e-6);
      });
      expect(reader.warnings.some((w) => w.includes('unfinalized'))).toBe(options.unfinalized === true);
    } finally {
      tmp.remove();
    }
  });
});
