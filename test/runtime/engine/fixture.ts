/** A small vehicle for the engine tests: a DBC, a trace, a one-signal domain and its model. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeFrame, type CanFrame } from '../../../bus/frame.js';
import { openTraceWriter } from '../../../bus/trace/index.js';
import type { DomainDefinition } from '../../../runtime/service/domain.js';
import { resultService } from '../../../runtime/service/someip-service.js';
import { writeModel } from '../inference/fixtures.js';
import { plainVehicleSignals } from '../../helpers/vehicle-signals.js';

export const TEST_DBC = `VERSION ""

NS_ :

BS_:

BU_: ECU SENSOR

BO_ 256 EgoMotion: 8 SENSOR
 SG_ Speed : 0|16@1+ (0.01,0) [0|655.35] "m/s" ECU
 SG_ Accel : 16|16@1- (0.001,0) [-32|32] "m/s2" ECU

BO_ 512 TestResult: 8 ECU
 SG_ Score : 0|16@1- (0.001,0) [-32|32] "" SENSOR
 SG_ Served : 16|8@1+ (1,0) [0|3] "" SENSOR

BA_DEF_ BO_ "GenMsgCycleTime" INT 0 10000;
BA_DEF_DEF_ "GenMsgCycleTime" 0;
BA_ "GenMsgCycleTime" BO_ 256 10;
`;

export interface TestResult {
  readonly score: number;
  readonly served: 'model' | 'fallback';
}

/** Reads speed and acceleration at 20 Hz, four samples; its model is a fixed MLP of 8 inputs. */
export const testDomain: DomainDefinition<TestResult, { speed: number }> = {
  domain: 'adas',
  description: 'test service',
  criticality: 'safety',
  rateHz: 20,
  deadlineMs: 20,
  inputs: { 'Vehicle.Speed': { required: true }, 'Vehicle.Accel': { required: true } },
  window: { signals: ['Vehicle.Speed', 'Vehicle.Accel'], rateHz: 20, length: 4 },
  model: 'test-adas',
  featureSize: 8,
  features(window, out) {
    for (let i = 0; i < 8; i++) out[i] = (window[i] as number) / 10;
  },
  interpret(output) {
    return { score: Math.max(-30, Math.min(30, output[0] as number)), served: 'model' };
  },
  fallback() {
    return { score: 0, served: 'fallback' };
  },
  outputMessage: 'TestResult',
  encode(r) {
    return { Score: Math.round(r.score * 1000) / 1000, Served: r.served === 'model' ? 1 : 2 };
  },
  someip: resultService(0x4a01, [{ name: 'score', type: 'float32' }, { name: 'served', type: 'uint8', labels: ['model', 'fallback'] }]),
  toJson(r) {
    return { score: r.score, served: r.served };
  },
  createScorer() {
    let n = 0;
    let err = 0;
    return {
      add(_t, result, label) {
        n++;
        err += Math.abs(result.score - label.speed);
      },
      summary() {
        return { samples: n, mae: n > 0 ? err / n : 0 };
      },
    };
  },
};

/** Where the fixture vehicle carries the test domain's inputs. */
export const TEST_VEHICLE_SIGNALS = plainVehicleSignals({
  'Vehicle.Speed': { message: 'EgoMotion', signal: 'Speed' },
  'Vehicle.Accel': { message: 'EgoMotion', signal: 'Accel' },
});

/**
 * A two-input comfort domain served by its rule alone (no model), with no output signals: its
 * `fallback` sees the window (one or two rows of both inputs) and answers with what it read.
 */
export function ruleOnlyDomain<R extends Record<string, number>>(o: {
  readonly inputs: DomainDefinition['inputs'];
  readonly rateHz: number;
  readonly length: number;
  readonly fallback: (window: Float32Array) => R;
}): DomainDefinition<R> {
  const signals = Object.keys(o.inputs);
  return {
    domain: 'body',
    description: 'a rule over two inputs',
    criticality: 'comfort',
    rateHz: o.rateHz,
    deadlineMs: 500 / o.rateHz,
    inputs: o.inputs,
    window: { signals, rateHz: o.rateHz, length: o.length },
    model: 'none',
    featureSize: signals.length,
    features(window, out) {
      out.set(window.subarray(0, signals.length));
    },
    interpret() {
      throw new Error('no model in this test');
    },
    fallback: o.fallback,
    outputMessage: 'TestResult',
    encode: () => ({}),
    toJson: (r) => ({ ...r }),
    someip: resultService(0x4a05, []),
  };
}

export interface EngineFixture {
  readonly dir: string;
  readonly dbcPath: string;
  readonly tracePath: string;
  readonly labelsPath: string;
  readonly modelsDir: string;
}

/** Writes the DBC, a `seconds`-long trace at 100 Hz with a speed ramp, labels, and the model. */
export async function writeEngineFixture(dir: string, seconds = 10): Promise<EngineFixture> {
  mkdirSync(dir, { recursive: true });
  const dbcPath = path.join(dir, 'test.dbc');
  writeFileSync(dbcPath, TEST_DBC);
  const tracePath = path.join(dir, 'drive.log');
  const writer = await openTraceWriter(tracePath);
  const labels: string[] = [];
  for (let i = 0; i < seconds * 100; i++) {
    const t = i / 100;
    const speed = 10 + t;
    const raw = Math.round(speed / 0.01);
    const accel = Math.round(Math.sin(t) / 0.001) & 0xffff;
    await writer.write(makeFrame({ timestamp: t, id: 256, data: [raw & 0xff, raw >> 8, accel & 0xff, accel >> 8, 0, 0, 0, 0] }));
    if (i % 5 === 0) labels.push(JSON.stringify({ t, domain: 'adas', label: { speed } }));
  }
  await writer.close();
  const labelsPath = path.join(dir, 'labels.jsonl');
  writeFileSync(labelsPath, labels.join('\n') + '\n');
  const modelsDir = path.join(dir, 'models');
  writeModel(modelsDir, { name: 'test-adas', domain: 'adas', sizes: [8, 16, 2], int8: true });
  return { dir, dbcPath, tracePath, labelsPath, modelsDir };
}

/** The sensor side of the fixture vehicle: EgoMotion at 100 Hz with a rising speed. Returns a stop function. */
export function sendEgoMotion(bus: { send(f: CanFrame): Promise<void> }): () => void {
  let i = 0;
  const timer = setInterval(() => {
    const raw = 1000 + i++;
    void bus.send(makeFrame({ id: 256, data: [raw & 0xff, raw >> 8, 0, 0, 0, 0, 0, 0] }));
  }, 10);
  return () => clearInterval(timer);
}
