import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudError } from '../../../../runtime/errors.js';
import { Outbox } from '../../../../runtime/cloud/outbox/outbox.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-outbox-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = (r: { payload: Uint8Array }): string => new TextDecoder().decode(r.payload);

describe('outbox', () => {
  it('gives records increasing seqs and returns them in order after a reopen', async () => {
    const dir = tempDir();
    const box = await Outbox.open(dir);
    const seqs = await Promise.all(['a', 'b', 'c'].map((s) => box.append({ kind: 'telemetry', priority: 1, payload: text(s) })));
    expect(seqs).toEqual([1, 2, 3]);
    await box.close();
    const again = await Outbox.open(dir);
    expect(again.peek(10).map(read)).toEqual(['a', 'b', 'c']);
    expect(again.peek(10).map((r) => r.kind)).toEqual(['telemetry', 'telemetry', 'telemetry']);
    await again.close();
  });

  it('does not return delivered records after a reopen, and never reuses their seqs', async () => {
    const dir = tempDir();
    const box = await Outbox.open(dir);
    for (const s of ['a', 'b', 'c']) await box.append({ kind: 't', priority: 1, payload: text(s) });
    box.ack(1);
    box.ack(2);
    await box.close();
    const again = await Outbox.open(dir);
    expect(again.peek(10).map(read)).toEqual(['c']);
    expect(again.ackedSeq).toBe(2);
    again.ack(3);
    await again.flush();
    expect(await again.append({ kind: 't', priority: 1, payload: text('d') })).toBe(4);
    await again.close();
    const third = await Outbox.open(dir);
    expect(third.peek(10).map((r) => [r.seq, read(r)])).toEqual([[4, 'd']]);
    await third.close();
  });

  it('keeps the acked offset at the oldest undelivered record when acks arrive out of order', async () => {
    const box = await Outbox.open(tempDir());
    for (const s of ['a', 'b', 'c']) await box.append({ kind: 't', priority: 1, payload: text(s) });
    box.ack(2);
    expect(box.ackedSeq).toBe(0);
    box.ack(1);
    expect(box.ackedSeq).toBe(2);
    await box.close();
  });

  it('drops the lowest-priority oldest record when full and counts it', async () => {
    const dir = tempDir();
    const box = await Outbox.open(dir, { maxRecords: 3 });
    await box.append({ kind: 't', priority: 5, payload: text('hi-1') });
    await box.append({ kind: 't', priority: 1, payload: text('lo-1') });
    await box.append({ kind: 't', priority: 1, payload: text('lo-2') });
    await box.append({ kind: 't', priority: 3, payload: text('mid-1') });
    expect(box.peek(10).map(read)).toEqual(['hi-1', 'lo-2', 'mid-1']);
    expect(box.stats.dropped).toBe(1);
    await box.close();
    // The drop is durable: a reopen does not resurrect the dropped record.
    const again = await Outbox.open(dir, { maxRecords: 3 });
    expect(again.peek(10).map(read)).toEqual(['hi-1', 'lo-2', 'mid-1']);
    await again.close();
  });

  it('refuses a record of lower priority than everything stored with OUTBOX_FULL', async () => {
    const box = await Outbox.open(tempDir(), { maxRecords: 2 });
    await box.append({ kind: 't', priority: 5, payload: text('a') });
    await box.append({ kind: 't', priority: 5, payload: text('b') });
    const err = await box.append({ kind: 't', priority: 1, payload: text('c') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect((err as CloudError).code).toBe('OUTBOX_FULL');
    expect(box.stats.refused).toBe(1);
    expect(box.peek(10).map(read)).toEqual(['a', 'b']);
    await box.close();
  });

  it('bounds the bytes as well as the count', async () => {
    const box = await Outbox.open(tempDir(), { maxBytes: 10 });
    await box.append({ kind: 't', priority: 1, payload: text('12345') });
    await box.append({ kind: 't', priority: 1, payload: text('67890') });
    await box.append({ kind: 't', priority: 1, payload: text('abc') });
    expect(box.bytes).toBeLessThanOrEqual(10);
    expect(box.peek(10).map(read)).toEqual(['67890', 'abc']);
    const tooBig = await box.append({ kind: 't', priority: 9, payload: new Uint8Array(11) }).catch((e: unknown) => e);
    expect((tooBig as CloudError).code).toBe('OUTBOX_FULL');
    await box.close();
  });

  it('truncates a torn tail on open and keeps every whole record', async () => {
    const dir = tempDir();
    const box = await Outbox.open(dir);
    await box.append({ kind: 't', priority: 1, payload: text('whole') });
    await box.close();
    const seg = readdirSync(dir).find((n) => n.startsWith('seg-')) ?? '';
    const file = path.join(dir, seg);
    const size = statSync(file).size;
    // Half a frame, as a kill in the middle of a write leaves it.
    appendFileSync(file, Buffer.from([20, 0, 0, 0, 1, 2, 3, 4, 9, 9]));
    const again = await Outbox.open(dir);
    expect(again.stats.truncatedBytes).toBe(10);
    expect(statSync(file).size).toBe(size);
    expect(again.peek(10).map(read)).toEqual(['whole']);
    expect(await again.append({ kind: 't', priority: 1, payload: text('next') })).toBe(2);
    await again.close();
    const third = await Outbox.open(dir);
    expect(third.peek(10).map(read)).toEqual(['whole', 'next']);
    await third.close();
  });

  it('rolls segments over and deletes the delivered ones', async () => {
    const dir = tempDir();
    const box = await Outbox.open(dir, { segmentBytes: 200 });
    const seqs: number[] = [];
    for (let i = 0; i < 30; i++) seqs.push(await box.append({ kind: 't', priority: 1, payload: new Uint8Array(50).fill(i) }));
    const before = readdirSync(dir).filter((n) => n.startsWith('seg-')).length;
    expect(before).toBeGreaterThan(5);
    for (const s of seqs.slice(0, 25)) box.ack(s);
    await box.flush();
    const after = readdirSync(dir).filter((n) => n.startsWith('seg-')).length;
    expect(after).toBeLessThan(before);
    expect(JSON.parse(readFileSync(path.join(dir, 'acked.json'), 'utf8'))).toEqual({ ackedSeq: 25 });
    await box.close();
    const again = await Outbox.open(dir, { segmentBytes: 200 });
    expect(again.peek(100).map((r) => r.seq)).toEqual(seqs.slice(25));
    await again.close();
  });

  it('rejects an acked-offset file that does not hold an offset, naming the file', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'acked.json'), '{"ackedSeq":"x"}');
    await expect(Outbox.open(dir)).rejects.toThrow(/acked\.json: ackedSeq x is not a whole number/);
  });

  it('shares one fsync between appends issued together', async () => {
    const box = await Outbox.open(tempDir());
    const seqs = await Promise.all(Array.from({ length: 200 }, (_, i) => box.append({ kind: 't', priority: 1, payload: text(`r${i}`) })));
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(box.peek(1000).map(read)).toEqual(Array.from({ length: 200 }, (_, i) => `r${i}`));
    await box.close();
  });
});
