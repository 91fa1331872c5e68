import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanFrame } from '../../bus/frame.js';
import { counterStep, e2eCounter, verifyE2e } from '../../bus/e2e.js';
import type { LabelRecord } from '../../sim/labels.js';
import { SimUsageError, simulate, startSimulation } from '../../sim/simulate.js';
import { vehicleDatabase } from '../../sim/vehicle-dbc.js';
import { writeSimulation } from '../../sim/write.js';

interface Collected {
  frames: CanFrame[];
  labels: LabelRecord[];
  dropped: number;
}

function collect(scenario: string, durationS: number, seed: number): Collected {
  const frames: CanFrame[] = [];
  const labels: LabelRecord[] = [];
  const it = simulate({ scenario, durationS, seed });
  let r = it.next();
  while (!r.done) {
    if (r.value.kind === 'frame') frames.push(r.value.frame);
    else labels.push(r.value.label);
    r = it.next();
  }
  return { frames, labels, dropped: r.value.dropped };
}

const db = vehicleDatabase();

describe('determinism', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-sim-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes byte-identical traces and labels for the same seed, and different ones for another seed', async () => {
    const files = (name: string) => ({ out: path.join(dir, `${name}.log`), labels: path.join(dir, `${name}.jsonl`) });
    await writeSimulation({ scenario: 'mixed-drive', durationS: 30, seed: 11, ...files('a') });
    await writeSimulation({ scenario: 'mixed-drive', durationS: 30, seed: 11, ...files('b') });
    await writeSimulation({ scenario: 'mixed-drive', durationS: 30, seed: 12, ...files('c') });
    const read = (f: string) => readFileSync(path.join(dir, f));
    expect(read('a.log').length).toBeGreaterThan(10_000);
    expect(read('a.log').equals(read('b.log'))).toBe(true);
    expect(read('a.jsonl').equals(read('b.jsonl'))).toBe(true);
    expect(read('a.log').equals(read('c.log'))).toBe(false);
    expect(read('a.jsonl').equals(read('c.jsonl'))).toBe(false);
  });

  it('draws different scenario parameters for different seeds', () => {
    const params = new Set([1, 2, 3, 4].map((seed) => JSON.stringify(startSimulation({ scenario: 'cut-in-emergency-brake', durationS: 60, seed }).params)));
    expect(params.size).toBe(4);
  });
});

describe('bus traffic of a mixed drive', () => {
  const durationS = 60;
  let run: Collected;
  beforeAll(() => {
    run = collect('mixed-drive', durationS, 3);
  });

  it('emits frames in time order', () => {
    const backwards = run.frames.filter((f, i) => i > 0 && f.timestamp < run.frames[i - 1]!.timestamp);
    expect(backwards).toEqual([]);
  });

  it('sends every input message at its GenMsgCycleTime', () => {
    const byId = new Map<number, number[]>();
    for (const f of run.frames) byId.set(f.id, [...(byId.get(f.id) ?? []), f.timestamp]);
    const inputs = db.codecs.filter((c) => !c.message.senders.includes('ECU_AI'));
    expect(inputs.length).toBe(14);
    for (const c of inputs) {
      const times = byId.get(c.message.id);
      expect(times, c.message.name).toBeDefined();
      const cycleS = c.message.cycleTimeMs! / 1000;
      const expected = durationS / cycleS;
      // Frames lost on the bus (about 0.05 %) may thin the count a little, never add to it.
      expect(times!.length, c.message.name).toBeLessThanOrEqual(Math.ceil(expected));
      expect(times!.length, c.message.name).toBeGreaterThanOrEqual(Math.floor(expected * 0.99) - 1);
      const mean = (times![times!.length - 1]! - times![0]!) / (times!.length - 1);
      expect(Math.abs(mean - cycleS) / cycleS, c.message.name).toBeLessThan(0.01);
    }
  });

  it('never sends the output messages of the domain services', () => {
    const outputs = new Set(db.codecs.filter((c) => c.message.senders.includes('ECU_AI')).map((c) => c.message.id));
    expect(outputs.size).toBe(5);
    expect(run.frames.some((f) => outputs.has(f.id))).toBe(false);
  });

  it('emits frames that all decode with the DBC, carry valid CRCs and count without gaps beyond the drops', () => {
    const lastCounter = new Map<number, number>();
    const problems: string[] = [];
    let gaps = 0;
    let checked = 0;
    for (const f of run.frames) {
      const codec = db.forFrame(f);
      if (!codec) {
        problems.push(`unknown id 0x${f.id.toString(16)}`);
        continue;
      }
      const where = `${codec.message.name} at ${f.timestamp}`;
      if (f.fd !== codec.message.fd || f.data.length !== codec.message.length) problems.push(`${where}: wrong frame kind or length`);
      if (Object.keys(codec.decode(f.data)).length === 0) problems.push(`${where}: no signals`);
      if (!codec.message.signals.some((sig) => sig.name.endsWith('_CRC'))) continue;
      checked++;
      if (!verifyE2e(f.id, f.data)) problems.push(`${where}: bad CRC`);
      const c = e2eCounter(f.data);
      const prev = lastCounter.get(f.id);
      if (prev !== undefined) {
        const step = counterStep(prev, c);
        if (step === 0) problems.push(`${where}: counter repeated`);
        else gaps += step - 1;
      }
      lastCounter.set(f.id, c);
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(run.frames.length / 2);
    expect(gaps).toBeLessThanOrEqual(run.dropped);
  });

  it('sends the radar object list as a 64-byte CAN FD frame and sweeps all 96 cell voltages', () => {
    const radar = run.frames.filter((f) => f.id === 0x220);
    expect(radar.every((f) => f.fd && f.data.length === 64 && f.dlc === 15)).toBe(true);
    const cells = db.byName('BMS_CellVoltages')!;
    const seen = new Set<string>();
    for (const f of run.frames) if (f.id === 0x320) for (const [name, v] of Object.entries(cells.decode(f.data))) if (name.startsWith('CV_Cell') && Number(v) > 3) seen.add(name);
    expect(seen.size).toBe(96);
  });

  it('labels every domain at its service rate', () => {
    const count = (d: string) => run.labels.filter((l) => l.domain === d).length;
    expect(count('adas')).toBe(durationS * 20);
    expect(count('chassis')).toBe(durationS * 50);
    expect(count('powertrain')).toBe(durationS * 10);
    expect(count('cockpit')).toBe(durationS * 5);
    expect(count('body')).toBe(durationS);
  });
});

describe('options', () => {
  it('refuses an unknown scenario, a non-positive duration and a bad seed with a usage error', () => {
    expect(() => startSimulation({ scenario: 'moon-landing', durationS: 1, seed: 1 })).toThrow(SimUsageError);
    expect(() => startSimulation({ scenario: 'highway-cruise', durationS: 0, seed: 1 })).toThrow(/duration/);
    expect(() => startSimulation({ scenario: 'highway-cruise', durationS: 1, seed: -1 })).toThrow(/seed/);
  });
});
