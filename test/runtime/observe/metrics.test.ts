import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeLabelValue, formatValue, MetricsRegistry, registerStandardMetrics } from '../../../runtime/observe/index.js';
import { parsePromText } from './prom-text.js';

describe('MetricsRegistry text format', () => {
  it('renders HELP and TYPE before the samples of each metric, ending with a newline', () => {
    const reg = new MetricsRegistry();
    const c = reg.counter('ecu_ai_frames_received_total', 'CAN frames received.', ['channel']);
    c.inc(3, { channel: 'can0' });
    c.labels({ channel: 'can1' }).inc();
    reg.gauge('ecu_ai_power_watts', 'Board power.').set(4.25);
    const text = reg.render();
    expect(text.split('\n')).toEqual([
      '# HELP ecu_ai_frames_received_total CAN frames received.',
      '# TYPE ecu_ai_frames_received_total counter',
      'ecu_ai_frames_received_total{channel="can0"} 3',
      'ecu_ai_frames_received_total{channel="can1"} 1',
      '# HELP ecu_ai_power_watts Board power.',
      '# TYPE ecu_ai_power_watts gauge',
      'ecu_ai_power_watts 4.25',
      '',
    ]);
    expect(parsePromText(text).get('ecu_ai_power_watts')?.samples[0]?.value).toBe(4.25);
  });

  it('renders histograms with cumulative buckets, +Inf, _sum and _count', () => {
    const reg = new MetricsRegistry();
    const h = reg.histogram('ecu_ai_inference_latency_seconds', 'Latency.', [0.001, 0.01, 0.1], ['domain']);
    const observations = [0.0005, 0.001, 0.002, 0.05, 3];
    for (const v of observations) h.observe(v, { domain: 'adas' });
    const fam = parsePromText(reg.render()).get('ecu_ai_inference_latency_seconds');
    expect(fam?.type).toBe('histogram');
    const bucket = (le: string): number | undefined => fam?.samples.find((s) => s.name.endsWith('_bucket') && s.labels.le === le)?.value;
    // Expected counts: how many observations are at or below each bound.
    for (const le of [0.001, 0.01, 0.1]) expect(bucket(String(le))).toBe(observations.filter((v) => v <= le).length);
    expect(bucket('+Inf')).toBe(observations.length);
    expect(fam?.samples.find((s) => s.name.endsWith('_sum'))?.value).toBeCloseTo(observations.reduce((a, b) => a + b, 0), 12);
    expect(fam?.samples.find((s) => s.name.endsWith('_count'))?.labels).toEqual({ domain: 'adas' });
  });

  it('escapes backslash, quote and newline in label values and backslash and newline in HELP', () => {
    const reg = new MetricsRegistry();
    reg.counter('x_total', 'a \\ b\nc', ['path']).inc(1, { path: 'C:\\dir\n"q"' });
    const text = reg.render();
    expect(text).toContain('# HELP x_total a \\\\ b\\nc\n');
    expect(text).toContain('x_total{path="C:\\\\dir\\n\\"q\\""} 1\n');
    const fam = parsePromText(text).get('x_total');
    expect(fam?.help).toBe('a \\ b\nc');
    expect(fam?.samples[0]?.labels.path).toBe('C:\\dir\n"q"');
  });

  it('round-trips any label value through escaping (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.double(), (value, v) => {
        const reg = new MetricsRegistry();
        reg.gauge('g', 'h', ['l']).set(v, { l: value });
        const s = parsePromText(reg.render()).get('g')?.samples[0];
        expect(s?.labels.l).toBe(value);
        expect(Object.is(s?.value, v) || (Number.isNaN(v) && Number.isNaN(s?.value)) || s?.value === v).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('spells the special float values as Prometheus does', () => {
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(-Infinity)).toBe('-Inf');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(1e-7)).toBe('1e-7');
    expect(escapeLabelValue('a"b')).toBe('a\\"b');
  });

  it('shows an unlabelled metric at zero before any update', () => {
    const reg = new MetricsRegistry();
    reg.counter('ecu_ai_deadline_misses_total', 'Misses.');
    reg.histogram('h_seconds', 'H.', [1]);
    const fams = parsePromText(reg.render());
    expect(fams.get('ecu_ai_deadline_misses_total')?.samples[0]?.value).toBe(0);
    expect(fams.get('h_seconds')?.samples.map((s) => s.value)).toEqual([0, 0, 0, 0]);
  });

  it('runs collectors before rendering, for gauges read on demand', () => {
    const reg = new MetricsRegistry();
    const g = reg.gauge('ecu_ai_soc_temperature_celsius', 'SoC temperature.', ['zone']);
    let reads = 0;
    reg.onCollect(() => g.set(40 + ++reads, { zone: 'cpu' }));
    reg.render();
    expect(parsePromText(reg.render()).get('ecu_ai_soc_temperature_celsius')?.samples[0]?.value).toBe(42);
  });
});

describe('MetricsRegistry checks', () => {
  it('rejects invalid metric and label names, reserved labels and le on histograms', () => {
    const reg = new MetricsRegistry();
    expect(() => reg.counter('1bad', 'h')).toThrow(RangeError);
    expect(() => reg.counter('ok_total', 'h', ['bad-label'])).toThrow(/bad-label/);
    expect(() => reg.counter('ok2_total', 'h', ['__reserved'])).toThrow(RangeError);
    expect(() => reg.histogram('h_seconds', 'h', [1], ['le'])).toThrow(/le/);
    expect(() => reg.histogram('h2_seconds', 'h', [2, 1])).toThrow(/increase/);
    expect(() => reg.histogram('h3_seconds', 'h', [1, Infinity])).toThrow(/finite/);
  });

  it('rejects labels that differ from the declared ones and negative counter increments', () => {
    const reg = new MetricsRegistry();
    const c = reg.counter('c_total', 'h', ['domain']);
    expect(() => c.inc(1)).toThrow(/do not match/);
    expect(() => c.inc(1, { domain: 'adas', extra: 'x' })).toThrow(/do not match/);
    expect(() => c.inc(-1, { domain: 'adas' })).toThrow(/>= 0/);
    expect(c.get({ domain: 'adas' })).toBe(0);
  });

  it('returns the same metric for a repeated identical registration and refuses a clashing one', () => {
    const reg = new MetricsRegistry();
    const a = reg.counter('c_total', 'h', ['domain']);
    expect(reg.counter('c_total', 'h', ['domain'])).toBe(a);
    expect(() => reg.gauge('c_total', 'h', ['domain'])).toThrow(/already registered/);
    reg.histogram('lat_seconds', 'h');
    expect(() => reg.counter('lat_seconds_count', 'h')).toThrow(/collides/);
  });

  it('registers the standard ecu_ai metrics with parseable output', () => {
    const reg = new MetricsRegistry();
    const m = registerStandardMetrics(reg);
    m.inferenceLatency.observe(0.0003, { domain: 'adas', variant: 'int8' });
    m.variantInUse.set(1, { domain: 'adas', variant: 'int8' });
    m.workerRestarts.inc(1, { domain: 'body' });
    expect(registerStandardMetrics(reg).deadlineMisses).toBe(m.deadlineMisses);
    const fams = parsePromText(reg.render());
    for (const name of [
      'ecu_ai_inference_latency_seconds',
      'ecu_ai_deadline_misses_total',
      'ecu_ai_frames_received_total',
      'ecu_ai_soc_temperature_celsius',
      'ecu_ai_power_watts',
      'ecu_ai_worker_restarts_total',
      'ecu_ai_variant_in_use',
    ]) {
      expect(fams.has(name)).toBe(true);
    }
  });
});
