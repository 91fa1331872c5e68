/**
 * A small Prometheus registry: counters, gauges and histograms with fixed buckets and labels,
 * rendered in the text exposition format 0.0.4.
 *
 *   # HELP ecu_ai_inference_latency_seconds Inference latency.
 *   # TYPE ecu_ai_inference_latency_seconds histogram
 *   ecu_ai_inference_latency_seconds_bucket{domain="adas",le="0.001"} 3
 *   ecu_ai_inference_latency_seconds_bucket{domain="adas",le="+Inf"} 4
 *   ecu_ai_inference_latency_seconds_sum{domain="adas"} 0.0042
 *   ecu_ai_inference_latency_seconds_count{domain="adas"} 4
 *
 * Hot paths take a child once (`metric.labels({ domain: 'adas' })`) and update it without
 * allocating. Series render in creation order, so output is deterministic.
 */

/** Label values by label name; must name exactly the metric's declared labels. */
export type Labels = Readonly<Record<string, string>>;

export type MetricKind = 'counter' | 'gauge' | 'histogram';

/** Content-Type of the rendered text. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Latency buckets in seconds, 100 us to 1 s: inference on an ECU lives in this range. */
export const LATENCY_BUCKETS_S: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Prometheus float text: integers plainly, the infinities and NaN by their spelled names. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

abstract class Metric<Child> {
  abstract readonly kind: MetricKind;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly children = new Map<string, { text: string; child: Child }>();

  constructor(name: string, help: string, labelNames: readonly string[]) {
    if (!METRIC_NAME_RE.test(name)) throw new RangeError(`"${name}" is not a valid metric name`);
    for (const l of labelNames) {
      if (!LABEL_NAME_RE.test(l) || l.startsWith('__')) throw new RangeError(`${name}: "${l}" is not a valid label name`);
    }
    if (new Set(labelNames).size !== labelNames.length) throw new RangeError(`${name}: duplicate label names`);
    this.name = name;
    this.help = help;
    this.labelNames = Object.freeze([...labelNames]);
  }

  protected abstract makeChild(): Child;

  /**
   * The series for these label values, made on first use and cached.
   * @throws {RangeError} when the labels are not exactly the declared ones.
   */
  labels(labels: Labels = {}): Child {
    const key = this.#key(labels);
    let entry = this.children.get(key);
    if (!entry) {
      const text = this.labelNames.map((l) => `${l}="${escapeLabelValue(labels[l] as string)}"`).join(',');
      entry = { text, child: this.makeChild() };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  #key(labels: Labels): string {
    const given = Object.keys(labels);
    if (given.length !== this.labelNames.length || this.labelNames.some((l) => typeof labels[l] !== 'string')) {
      throw new RangeError(`${this.name}: labels {${given.join(',')}} do not match the declared {${this.labelNames.join(',')}}`);
    }
    // A separator that cannot occur unescaped keeps {a:"x,y"} and {a:"x",b:"y"} apart.
    return this.labelNames.map((l) => labels[l]).join('\u0000');
  }

  /** Text lines of every series (HELP and TYPE first). */
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.kind}`);
    // An unlabelled metric shows its zero before any update, so a scrape never misses it.
    if (this.labelNames.length === 0) this.labels();
    for (const { text, child } of this.children.values()) this.renderChild(out, text, child);
  }

  protected abstract renderChild(out: string[], labelText: string, child: Child): void;
}

/** One counter series. */
export class CounterChild {
  value = 0;
  /** @throws {RangeError} on a negative or non-finite increment (counters only go up). */
  inc(by = 1): void {
    if (!(by >= 0) || !Number.isFinite(by)) throw new RangeError(`counter increment must be a finite number >= 0, got ${by}`);
    this.value += by;
  }
}

export class Counter extends Metric<CounterChild> {
  readonly kind = 'counter';
  protected makeChild(): CounterChild {
    return new CounterChild();
  }
  /** @throws {RangeError} on a negative increment or labels that do not match. */
  inc(by = 1, labels?: Labels): void {
    this.labels(labels).inc(by);
  }
  get(labels?: Labels): number {
    return this.labels(labels).value;
  }
  protected renderChild(out: string[], labelText: string, child: CounterChild): void {
    out.push(`${this.name}${labelText ? `{${labelText}}` : ''} ${formatValue(child.value)}`);
  }
}

/** One gauge series. */
export class GaugeChild {
  value = 0;
  set(v: number): void {
    this.value = v;
  }
  inc(by = 1): void {
    this.value += by;
  }
  dec(by = 1): void {
    this.value -= by;
  }
}

export class Gauge extends Metric<GaugeChild> {
  readonly kind = 'gauge';
  protected makeChild(): GaugeChild {
    return new GaugeChild();
  }
  /** @throws {RangeError} when the labels do not match. */
  set(v: number, labels?: Labels): void {
    this.labels(labels).set(v);
  }
  get(labels?: Labels): number {
    return this.labels(labels).value;
  }
  protected renderChild(out: string[], labelText: string, child: GaugeChild): void {
    out.push(`${this.name}${labelText ? `{${labelText}}` : ''} ${formatValue(child.value)}`);
  }
}

/** One histogram series: per-bucket counts (not cumulative until rendered), sum and count. */
export class HistogramChild {
  readonly #bounds: readonly number[];
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.counts = new Float64Array(bounds.length);
  }
  /** Records one observation; NaN is ignored (it has no bucket). */
  observe(v: number): void {
    if (Number.isNaN(v)) return;
    const b = this.#bounds;
    // A linear scan beats binary search for the dozen buckets a histogram has.
    for (let i = 0; i < b.length; i++) {
      if (v <= (b[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        break;
      }
    }
    this.sum += v;
    this.count++;
  }
}

export class Histogram extends Metric<HistogramChild> {
  readonly kind = 'histogram';
  readonly buckets: readonly number[];

  /** @throws {RangeError} on unsorted, duplicate or non-finite buckets, or a label named `le`. */
  constructor(name: string, help: string, buckets: readonly number[], labelNames: readonly string[]) {
    super(name, help, labelNames);
    if (labelNames.includes('le')) throw new RangeError(`${name}: a histogram cannot have a label named "le"`);
    if (buckets.length === 0) throw new RangeError(`${name}: a histogram needs at least one bucket`);
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i] as number;
      if (!Number.isFinite(b)) throw new RangeError(`${name}: bucket ${b} is not finite (+Inf is implicit)`);
      if (i > 0 && b <= (buckets[i - 1] as number)) throw new RangeError(`${name}: buckets must increase strictly`);
    }
    this.buckets = Object.freeze([...buckets]);
  }
  protected makeChild(): HistogramChild {
    return new HistogramChild(this.buckets);
  }
  /** @throws {RangeError} when the labels do not match. */
  observe(v: number, labels?: Labels): void {
    this.labels(labels).observe(v);
  }
  protected renderChild(out: string[], labelText: string, child: HistogramChild): void {
    const sep = labelText ? `${labelText},` : '';
    let cumulative = 0;
    this.buckets.forEach((b, i) => {
      cumulative += child.counts[i] as number;
      out.push(`${this.name}_bucket{${sep}le="${formatValue(b)}"} ${formatValue(cumulative)}`);
    });
    out.push(`${this.name}_bucket{${sep}le="+Inf"} ${formatValue(child.count)}`);
    const braces = labelText ? `{${labelText}}` : '';
    out.push(`${this.name}_sum${braces} ${formatValue(child.sum)}`, `${this.name}_count${braces} ${formatValue(child.count)}`);
  }
}

export type AnyMetric = Counter | Gauge | Histogram;

/** Owns a set of metrics; one per daemon (not a module global), so tests get fresh ones. */
export class MetricsRegistry {
  readonly #metrics = new Map<string, AnyMetric>();
  readonly #collectors: (() => void)[] = [];

  /**
   * Registers a counter, or returns the existing one of the same name, kind and labels.
   * @throws {RangeError} on an invalid name or a clash with a different metric of that name.
   */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(name, 'counter', labelNames, () => new Counter(name, help, labelNames)) as Counter;
  }

  /** Registers a gauge (see counter). @throws {RangeError} as counter does. */
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#add(name, 'gauge', labelNames, () => new Gauge(name, help, labelNames)) as Gauge;
  }

  /** Registers a histogram with fixed upper bounds (see counter). @throws {RangeError} on bad buckets too. */
  histogram(name: string, help: string, buckets: readonly number[] = LATENCY_BUCKETS_S, labelNames: readonly string[] = []): Histogram {
    return this.#add(name, 'histogram', labelNames, () => new Histogram(name, help, buckets, labelNames)) as Histogram;
  }

  #add(name: string, kind: MetricKind, labelNames: readonly string[], make: () => AnyMetric): AnyMetric {
    const existing = this.#metrics.get(name);
    if (existing) {
      if (existing.kind !== kind || existing.labelNames.join(',') !== labelNames.join(',')) {
        throw new RangeError(`metric ${name} is already registered as a ${existing.kind} with labels {${existing.labelNames.join(',')}}`);
      }
      return existing;
    }
    // Histograms also own NAME_bucket/_sum/_count; refuse names that would collide with them.
    for (const m of this.#metrics.values()) {
      if (m.kind === 'histogram' && [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`].includes(name)) {
        throw new RangeError(`metric ${name} collides with the series of histogram ${m.name}`);
      }
    }
    const metric = make();
    this.#metrics.set(name, metric);
    return metric;
  }

  get(name: string): AnyMetric | undefined {
    return this.#metrics.get(name);
  }

  /** Runs before each render: for gauges read on demand (temperatures, power, queue depths). */
  onCollect(fn: () => void): void {
    this.#collectors.push(fn);
  }

  /** The whole registry in text format 0.0.4, ending with a newline. */
  render(): string {
    for (const c of this.#collectors) c();
    const out: string[] = [];
    for (const m of this.#metrics.values()) m.render(out);
    return out.length > 0 ? out.join('\n') + '\n' : '';
  }
}
