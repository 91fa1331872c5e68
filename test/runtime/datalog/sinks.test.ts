import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../../bus/frame.js';
import { decodeDataSnippet, encodeDataSnippet } from '../../../wire/messages.js';
import { SnippetRecorder, type SnippetCapture } from '../../../runtime/datalog/recorder.js';
import { folderSnippetSink, toDataSnippet } from '../../../runtime/datalog/sinks.js';
import { builtinTriggers } from '../../../runtime/datalog/triggers.js';
import { DOMAIN_LIST } from '../../../domains/index.js';
import { parseConfig } from '../../../runtime/config.js';
import { resolveDomains } from '../../../runtime/service/resolved.js';

const SERVED = resolveDomains(DOMAIN_LIST, parseConfig({}, DOMAIN_LIST));

async function capture(sink: (c: SnippetCapture) => void | Promise<void>): Promise<SnippetRecorder> {
  const rec = new SnippetRecorder({ preS: 1, postS: 1, maxBytes: 1 << 16, cooldownS: 0, triggers: builtinTriggers(SERVED, ['chassis-ice', 'degrade']), sink });
  for (let k = 0; k < 300; k++) {
    const t = 100 + k / 100;
    rec.onFrame(makeFrame({ timestamp: t, channel: 'can1', id: 0x18ff0001, extended: true, data: [k & 0xff, 0xab] }), t);
    if (k === 100) rec.onResult({ domain: 'chassis', t, result: { frictionClass: 3, confidence: 0.8, mu: 0.12, source: 'model' }, variant: 'int8', inputsValid: true });
    if (k === 150) rec.onEvent({ t, kind: 'degrade', domain: 'body', to: 'cloud', why: 'hot' });
  }
  await rec.finish();
  return rec;
}

describe('snippet sinks', () => {
  it('turn a capture into a DataSnippet that survives the wire with its result and domain', async () => {
    const got: SnippetCapture[] = [];
    await capture((c) => void got.push(c));
    const body = toDataSnippet(got[0]!);
    const back = decodeDataSnippet(encodeDataSnippet({ ...body, recordId: 'r1', vehicleId: 'v1' }));
    expect(back.trigger).toBe('chassis-ice');
    expect(back.domain).toBe('chassis');
    expect(back.frames).toHaveLength(got[0]!.frames.length);
    expect(back.frames[0]).toMatchObject({ channel: 'can1', id: 0x18ff0001, extended: true });
    expect(JSON.parse(back.resultJson!)).toMatchObject({ variant: 'int8', value: { frictionClass: 3 } });
    expect(back.signals.find((s) => s.name === 'chassis.result.mu')?.value).toBe(0.12);
    // A ladder event has no result: no result_json on the wire either.
    const ev = decodeDataSnippet(encodeDataSnippet({ ...toDataSnippet(got[1]!), recordId: 'r2', vehicleId: 'v1' }));
    expect(ev.resultJson).toBeUndefined();
    expect(ev.detail).toBe('degrade to cloud: hot');
  });

  it('write one JSON file per snippet to a folder, in emission order, with hex frame data', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'ecu-ai-snippets-')), 'out');
    const rec = await capture(folderSnippetSink(dir));
    expect(rec.stats.sinkErrors).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['00001-chassis-ice-chassis.json', '00002-degrade-body.json']);
    const j = JSON.parse(readFileSync(path.join(dir, files[0]!), 'utf8')) as { frames: { data: string; t: number }[]; priority: number; preS: number };
    expect(j.frames[0]!.data).toMatch(/^[0-9a-f]{2}ab$/);
    expect(j.priority).toBe(120);
    expect(j.preS).toBe(1);
  });
});
