/**
 * What `ecu-ai run` costs in memory with the five domain services loaded and working: the real
 * daemon (shipped models, SOME/IP offers, HTTP endpoint) connected over socketcand to a bus that
 * carries the bundled demo drive in real time. After a warm period the process tree is measured:
 * RSS, PSS and USS per process, and the union of the physical pages the tree has resident, which is
 * the figure a board's free memory drops by. Variants: the isolation layouts, and the node flags the
 * systemd unit passes against none.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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
  /** Absent: the defaults (safety domains a process each, cockpit and body one shared process). */
  readonly isolation?: Isolation;
}

const VARIANTS: readonly Variant[] = [
  { name: 'default layout, unit flags', flags: UNIT_FLAGS },
  { name: 'default layout, no node flags', flags: [] },
  { name: 'five processes, unit flags', flags: UNIT_FLAGS, isolation: 'process' },
  { name: 'five threads in the daemon, unit flags', flags: UNIT_FLAGS, isolation: 'thread' },
];

interface Measured {
  readonly variant: Variant;
  readonly memory: TreeMemory;
  readonly frames: number;
  readonly inferences: number;
}

function writeConfig(dir: string, port: number, isolation: Isolation | undefined): string {
  const domains = Object.fromEntries(DOMAINS.map((d) => [d, isolation === undefined ? {} : { isolation }]));
  const config = {
    transports: [{ kind: 'socketcand', host: '127.0.0.1', port, channel: 'can0' }],
    http: { host: '127.0.0.1', port: 0 },
    someip: { sd_port: 0, service_port: 0 },
    domains,
  };
  const file = path.join(dir, `config-${isolation ?? 'default'}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Starts the daemon and resolves with its HTTP URL once it logs that it is ready. */
function startDaemon(flags: readonly string[], config: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...flags, path.join(projectRoot, 'dist', 'cli', 'main.js'), 'run', '--config', config], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: projectRoot,
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('the daemon was not ready within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the daemon exited with ${code} before it was ready`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.includes('"ecu-ai ready"')) continue;
        const url = (JSON.parse(line) as { http?: string }).http;
        clearTimeout(timer);
        if (url === undefined) reject(new Error('the ready line names no HTTP endpoint'));
        else resolve({ child, url });
      }
    });
  });
}

/** Sum of a Prometheus counter or histogram count over its series. */
async function metricSum(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

async function measure(variant: Variant, dir: string, network: VirtualNetwork, port: number): Promise<Measured> {
  const { child, url } = await startDaemon(variant.flags, writeConfig(dir, port, variant.isolation));
  const feeder = network.open('can0');
  const stop = new AbortController();
  const fed = replay(openTraceReader(bundledDemoTrace), feeder, { clock: new RealClock(), speed: 1, channels: () => 'can0', signal: stop.signal });
  await new Promise((r) => setTimeout(r, WARM_S * 1000));
  const pid = child.pid as number;
  const memory = treeMemory([pid, ...childPids(pid)]);
  const frames = await metricSum(url, 'ecu_ai_frames_received_total');
  const inferences = await metricSum(url, 'ecu_ai_inference_latency_seconds_count');
  stop.abort();
  await fed.catch(() => undefined);
  await feeder.close();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return { variant, memory, frames, inferences };
}

const mb = (n: number): string => n.toFixed(1);

async function main(): Promise<void> {
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  const network = new VirtualNetwork();
  const server = await serveSocketcand({ port: 0, open: (channel) => network.open(channel) });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-mem-'));
  const results: Measured[] = [];
  try {
    for (const v of VARIANTS) {
      console.log(`${v.name}: starting, ${WARM_S} s of the demo drive in real time ...`);
      const m = await measure(v, dir, network, server.port);
      console.log(`  union ${m.memory.union === undefined ? 'n/a' : mb(m.memory.union)} MB, ${m.memory.processes.length} processes, ${m.frames} frames, ${m.inferences} inferences`);
      results.push(m);
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const target = 150;
  const rows = results.map(({ variant, memory, frames, inferences }) => {
    const [daemon, ...workers] = memory.processes;
    const sum = (k: 'rss' | 'pss' | 'uss'): number => memory.processes.reduce((a, p) => a + p[k], 0);
    const union = memory.union === undefined ? 'n/a' : `**${mb(memory.union)}**`;
    const verdict = memory.union === undefined ? 'not measured' : memory.union <= target ? 'met' : 'NOT met';
    return (
      `| ${variant.name} | \`${variant.flags.join(' ') || '-'}\` | ${workers.length} | ${mb(daemon?.rss ?? NaN)} / ${mb(daemon?.uss ?? NaN)} | ` +
      `${workers.map((w) => mb(w.uss)).join(', ') || '-'} | ${mb(sum('rss'))} | ${mb(sum('pss'))} | ${union} | ${verdict} | ${frames} / ${inferences} |`
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
      `| variant | node flags | worker processes | daemon RSS / USS MB | worker USS MB | Σ RSS MB | Σ PSS MB | resident pages, union MB | ≤ ${target} MB | frames / inferences |`,
      '|---|---|---:|---:|---|---:|---:|---:|---|---:|',
      ...rows,
      '',
      'The union counts every physical page resident in any process of the daemon once (from /proc/PID/pagemap): the node binary and',
      'libonnxruntime once, each process\'s own heap once. Σ RSS counts shared pages in every process; Σ PSS divides them with unrelated',
      'processes on the machine, so it moves with what else runs. The unit flags (`deploy/ecu-ai.service`) keep V8\'s young generation',
      'at 1 MB semi-spaces: without them the start-up allocations grow it to 16 MB semi-spaces, which the daemon then keeps.',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
