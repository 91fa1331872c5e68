/**
 * A strict reader of the Prometheus text format 0.0.4 for tests: it rejects what a scraper would
 * (samples before their TYPE, bad names, unescaped quotes, unsorted or missing histogram parts).
 */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export interface ParsedFamily {
  readonly name: string;
  help: string;
  type: string;
  readonly samples: ParsedSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE_RE = new RegExp(`^(${NAME})(\\{(.*)\\})? (\\S+)$`, 's');
const LABEL_RE = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/;

function parseValue(s: string, line: number): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`line ${line}: bad value "${s}"`);
  return Number(s);
}

function unescape(v: string): string {
  return v.replace(/\\(\\|"|n)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function familyOf(sample: string, families: Map<string, ParsedFamily>): ParsedFamily | undefined {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (sample.endsWith(suffix)) {
      const f = families.get(sample.slice(0, -suffix.length));
      if (f?.type === 'histogram') return f;
    }
  }
  return families.get(sample);
}

/** @throws {Error} naming the line of the first violation. */
export function parsePromText(text: string): Map<string, ParsedFamily> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('text must end with a line feed');
  const families = new Map<string, ParsedFamily>();
  text.split('\n').slice(0, -1).forEach((raw, i) => {
    const line = i + 1;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!new RegExp(`^${NAME}$`).test(name)) throw new Error(`line ${line}: bad metric name ${name}`);
      const f = families.get(name) ?? { name, help: '', type: 'untyped', samples: [] };
      if (f.samples.length > 0) throw new Error(`line ${line}: ${kind} after samples of ${name}`);
      if (kind === 'HELP') f.help = rest.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      else {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`line ${line}: bad type ${rest}`);
        f.type = rest;
      }
      families.set(name, f);
      return;
    }
    if (raw.startsWith('#')) return;
    const m = SAMPLE_RE.exec(raw);
    if (!m) throw new Error(`line ${line}: not a sample: ${raw}`);
    const name = m[1] as string;
    const labels: Record<string, string> = {};
    let rest = m[3] ?? '';
    while (rest.length > 0) {
      const l = LABEL_RE.exec(rest);
      if (!l) throw new Error(`line ${line}: bad labels at "${rest}"`);
      if ((l[1] as string) in labels) throw new Error(`line ${line}: duplicate label ${l[1]}`);
      labels[l[1] as string] = unescape(l[2] as string);
      rest = rest.slice(l[0].length);
    }
    const f = familyOf(name, families);
    if (!f) throw new Error(`line ${line}: sample ${name} before its TYPE`);
    f.samples.push({ name, labels, value: parseValue(m[4] as string, line) });
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function checkHistogram(f: ParsedFamily): void {
  const series = new Map<string, ParsedSample[]>();
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(rest);
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name === `${f.name}_bucket`);
    const count = samples.find((s) => s.name === `${f.name}_count`);
    const sum = samples.find((s) => s.name === `${f.name}_sum`);
    if (!count || !sum) throw new Error(`${f.name}${key}: missing _sum or _count`);
    const last = buckets.at(-1);
    if (!last || last.labels.le !== '+Inf') throw new Error(`${f.name}${key}: last bucket must be le="+Inf"`);
    if (last.value !== count.value) throw new Error(`${f.name}${key}: +Inf bucket differs from _count`);
    for (let i = 1; i < buckets.length; i++) {
      const a = buckets[i - 1] as ParsedSample;
      const b = buckets[i] as ParsedSample;
      if (parseValue(b.labels.le ?? '', 0) <= parseValue(a.labels.le ?? '', 0)) throw new Error(`${f.name}${key}: le not increasing`);
      if (b.value < a.value) throw new Error(`${f.name}${key}: bucket counts not cumulative`);
    }
  }
}
