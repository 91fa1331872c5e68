/**
 * Peer check: the exposition text must parse with the reference Python client's parser
 * (python3-prometheus-client), with the same names, labels and values we meant.
 */
import { describe, expect, it } from 'vitest';
import { MetricsRegistry, registerStandardMetrics } from '../../../runtime/observe/index.js';
import { pythonModulePeer, runPython } from '../../helpers/peers.js';

const peer = pythonModulePeer('prometheus_client', 'python3-prometheus-client');

const PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "help": f.documentation,
                "samples": [{"name": s.name, "labels": s.labels, "value": repr(float(s.value))} for s in f.samples]})
print(json.dumps(out))
`;

interface PyFamily {
  name: string;
  type: string;
  help: string;
  samples: { name: string; labels: Record<string, string>; value: string }[];
}

describe.skipIf(!peer.available)('metrics text read by prometheus_client', () => {
  it('parses every family, label and value as written', () => {
    const reg = new MetricsRegistry();
    const m = registerStandardMetrics(reg);
    const tricky = 'a\\b "quoted"\nnext\tline \u00e9';
    m.framesReceived.inc(12, { channel: tricky });
    m.framesReceived.inc(1, { channel: 'can0' });
    m.socTemperature.set(-Infinity, { zone: 'cpu' });
    m.socTemperature.set(Number.NaN, { zone: 'gpu' });
    m.powerWatts.set(3.125e-7);
    const obs = [0.00005, 0.0003, 0.004, 0.2, 7];
    for (const v of obs) m.inferenceLatency.observe(v, { domain: 'adas', variant: 'fp32' });
    reg.gauge('help_escape', 'back\\slash\nnewline').set(1);

    const families = JSON.parse(runPython(PARSE, [], reg.render())) as PyFamily[];
    const byName = new Map(families.map((f) => [f.name, f]));

    const frames = byName.get('ecu_ai_frames_received');
    expect(frames?.type).toBe('counter');
    expect(frames?.samples).toContainEqual({ name: 'ecu_ai_frames_received_total', labels: { channel: tricky }, value: '12.0' });

    const temp = byName.get('ecu_ai_soc_temperature_celsius');
    expect(temp?.samples.map((s) => s.value).sort()).toEqual(['-inf', 'nan']);
    expect(byName.get('ecu_ai_power_watts')?.samples[0]?.value).toBe(repr(3.125e-7));
    expect(byName.get('help_escape')?.help).toBe('back\\slash\nnewline');

    const lat = byName.get('ecu_ai_inference_latency_seconds');
    expect(lat?.type).toBe('histogram');
    const count = lat?.samples.find((s) => s.name === 'ecu_ai_inference_latency_seconds_count');
    expect(count).toEqual({ name: 'ecu_ai_inference_latency_seconds_count', labels: { domain: 'adas', variant: 'fp32' }, value: `${obs.length}.0` });
    const inf = lat?.samples.find((s) => s.labels.le === '+Inf');
    expect(inf?.value).toBe(`${obs.length}.0`);
    const le1ms = lat?.samples.find((s) => s.labels.le === '0.001');
    expect(le1ms?.value).toBe(`${obs.filter((v) => v <= 0.001).length}.0`);
  });
});

/** Python's repr of a float for the values this test uses. */
function repr(v: number): string {
  return runPython('import sys; print(repr(float(sys.argv[1])))', [String(v)]).trim();
}
