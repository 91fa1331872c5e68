/**
 * What `ecu-ai run` costs in memory with the five domain services loaded and working: the real
 * daemon (shipped models, SOME/IP offers, HTTP endpoint) connected over socketcand to a bus that
 * carries the bundled demo drive in real time. After a warm period the process tree is measured:
 * RSS, PSS and USS per process, and the union of the physical pages the tree has resident, which is
 * the figure a board's free memory drops by. Variants: the isolation layouts, and the node flags the
 * systemd unit passes against none.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { replay } from '../bus/replay.js';
import { openTraceReader } from '../bus/trace/index.js';
import { serveSocketcand } from '../bus/transport/socketcand-server.js';
import { VirtualNetwork } from '../bus/transport/virtual.js';
import { bundledDemoTrace, projectRoot } from '../cli/paths.js';
import { RealClock } from '../runtime/clock.js';
import { childPids, treeMemory, type TreeMemory } from './process-memory.js';
import { startDaemon } from './daemon-process.js';

const WARM_S = 20;
/** The node flags deploy/ecu-ai.service starts the daemon with: read from the unit, so they cannot drift apart. */
function unitFlags(): string[] {
  const unit = readFileSync(path.join(projectRoot, 'deploy', 'ecu-ai.service'), 'utf8');
  const words = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.trim().split(/\s+/) ?? [];
  const script = words.findIndex((w) => w.endsWith('main.js'));
  if (script < 1) throw new Error('deploy/ecu-ai.service has no ExecStart running main.js');
  return words.slice(1, script);
}
const UNIT_FLAGS = unitFlags();
const DOMAINS = ['adas', 'chassis', 'powertrain', 'cockpit', 'body'] as const;
type Isolation = 'process' | 'thread' | 'shared';

interface Variant {
  readonly name: string;
  readonly flags: readonly string[];
  /** Per domain; absent: the defaults (one shared process for the safety domains, one for the comfort domains). */
  readonly isolation?: Partial<Record<(typeof DOMAINS)[number], Isolation>>;
}

const all = (i: Isolation): Variant['isolation'] => Object.fromEntries(DOMAINS.map((d) => [d, i]));
const VARIANTS: readonly Variant[] = [
  { name: 'default layout, unit flags', flags: UNIT_FLAGS },
  { name: 'default layout, no node flags', flags: [] },
  { name: 'default layout, unit flags but --optimize-for-size', flags: UNIT_FLAGS.filter((f) => f !== '--optimize-for-size') },
  { name: 'a process per safety domain, unit flags', flags: UNIT_FLAGS, isolation: { adas: 'process', chassis: 'process', powertrain: 'process' } },
  { name: 'five processes, unit flags', flags: UNIT_FLAGS, isolation: all('process') },
  { name: 'five threads in the daemon, unit flags', flags: UNIT_FLAGS, isolation: all('thread') },
];

interface Measured {
  readonly variant: Variant;
  readonly memory: TreeMemory;
  /** CPU seconds the daemon and its workers used during the measured window. */
  readonly cpu: { readonly daemon: number; readonly workers: number };
  readonly frames: number;
  readonly inferences: number;
}

function writeConfig(dir: string, port: number, variant: Variant, index: number): string {
  const domains = Object.fromEntries(DOMAINS.map((d) => [d, variant.isolation?.[d] === undefined ? {} : { isolation: variant.isolation[d] }]));
  const config = {
    transports: [{ kind: 'socketcand', host: '127.0.0.1', port, channel: 'can0' }],
    http: { host: '127.0.0.1', port: 0 },
    someip: { sd_port: 0, service_port: 0 },
    domains,
  };
  const file = path.join(dir, `config-${index}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Sum of a Prometheus counter or histogram count over its series. */
async function metricSum(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** CPU seconds (user + system) a process has used; 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function measure(variant: Variant, index: number, dir: string, network: VirtualNetwork, port: number): Promise<Measured> {
  const { child, url } = await startDaemon(projectRoot, writeConfig(dir, port, variant, index), variant.flags);
  const feeder = network.open('can0');
  const stop = new AbortController();
  const fed = replay(openTraceReader(bundledDemoTrace), feeder, { clock: new RealClock(), speed: 1, channels: () => 'can0', signal: stop.signal });
  const pid = child.pid as number;
  const workers0 = childPids(pid);
  const cpu0 = { daemon: cpuSeconds(pid), workers: workers0.reduce((a, w) => a + cpuSeconds(w), 0) };
  await new Promise((r) => setTimeout(r, WARM_S * 1000));
  const workers = childPids(pid);
  const cpu = { daemon: cpuSeconds(pid) - cpu0.daemon, workers: workers.reduce((a, w) => a + cpuSeconds(w), 0) - cpu0.workers };
  const memory = treeMemory([pid, ...workers]);
  const frames = await metricSum(url, 'ecu_ai_frames_received_total');
  const inferences = await metricSum(url, 'ecu_ai_inference_latency_seconds_count');
  stop.abort();
  await fed.catch(() => undefined);
  await feeder.close();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return { variant, memory, cpu, frames, inferences };
}

const mb = (n: number): string => n.toFixed(1);

async function main(): Promise<void> {
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  const network = new VirtualNetwork();
  const server = await serveSocketcand({ port: 0, open: (channel) => network.open(channel) });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-mem-'));
  const results: Measured[] = [];
  try {
    for (const [i, v] of VARIANTS.entries()) {
      console.log(`${v.name}: starting, ${WARM_S} s of the demo drive in real time ...`);
      const m = await measure(v, i, dir, network, server.port);
      console.log(`  union ${m.memory.union === undefined ? 'n/a' : mb(m.memory.union)} MB, ${m.memory.processes.length} processes, ${m.frames} frames, ${m.inferences} inferences`);
      results.push(m);
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const target = 150;
  const pct = (s: number): string => ((100 * s) / WARM_S).toFixed(1);
  const rows = results.map(({ variant, memory, cpu, frames, inferences }) => {
    const [daemon, ...workers] = memory.processes;
    const sum = (k: 'rss' | 'pss' | 'uss'): number => memory.processes.reduce((a, p) => a + p[k], 0);
    const union = memory.union === undefined ? 'n/a' : `**${mb(memory.union)}**`;
    const verdict = memory.union === undefined ? 'not measured' : memory.union <= target ? 'met' : 'NOT met';
    return (
      `| ${variant.name} | \`${variant.flags.join(' ') || '-'}\` | ${workers.length} | ${mb(daemon?.rss ?? NaN)} / ${mb(daemon?.uss ?? NaN)} | ` +
      `${workers.map((w) => mb(w.uss)).join(', ') || '-'} | ${mb(sum('rss'))} | ${mb(sum('pss'))} | ${union} | ${verdict} | ${pct(cpu.daemon)} / ${pct(cpu.workers)} | ${frames} / ${inferences} |`
    );
  });
  console.log('--- results');
  console.log(
    [
      '## Daemon memory with five services (`bench/daemon-memory.bench.ts`)',
      '',
      `\`ecu-ai run\` with the shipped models, SOME/IP offers and the HTTP endpoint, reading the bundled demo drive in real time over socketcand`,
      `(127.0.0.1) for ${WARM_S} s before the measurement. Load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores at the end.`,
      '',
      `| variant | node flags | worker processes | daemon RSS / USS MB | worker USS MB | Σ RSS MB | Σ PSS MB | resident pages, union MB | ≤ ${target} MB | CPU % of a core, daemon / workers | frames / inferences |`,
      '|---|---|---:|---:|---|---:|---:|---:|---|---:|---:|',
      ...rows,
      '',
      'The union counts every physical page resident in any process of the daemon once (from /proc/PID/pagemap): the node binary and',
      'libonnxruntime once, each process\'s own heap once. Σ RSS counts shared pages in every process; Σ PSS divides them with unrelated',
      'processes on the machine, so it moves with what else runs. CPU is user + system time over the same window. The unit flags',
      '(`deploy/ecu-ai.service`) keep V8\'s young generation at 1 MB semi-spaces (without them the start-up allocations grow it to',
      '16 MB semi-spaces, which the daemon then keeps) and make V8 favour size over speed (`--optimize-for-size`: a tighter old',
      'generation, collected more often). Worker processes get `--max-semi-space-size=1` whatever the daemon\'s flags.',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
