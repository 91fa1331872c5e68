import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../../../runtime/cloud/outbox/outbox.js';
import { seededRandom } from '../../../../runtime/cloud/link/backoff.js';
import { transpileTree } from '../../../helpers/transpile.js';
import { expectedPayload } from './fixtures/outbox-payload.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..', '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-outbox-kill-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface RunLog {
  acknowledged: { run: number; n: number; seq: number }[];
  delivered: Set<number>;
}

/** Runs the writer until it has acknowledged some records, then SIGKILLs it after a random delay. */
function runAndKill(script: string, dir: string, run: number, delayMs: number, log: RunLog): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, dir, String(run)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    let stderr = '';
    let armed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).split(' ');
        buf = buf.slice(nl + 1);
        if (line[0] === 'ok') log.acknowledged.push({ run: Number(line[1]), n: Number(line[2]), seq: Number(line[3]) });
        if (line[0] === 'ack') log.delivered.add(Number(line[1]));
      }
      if (!armed) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited ${code}: ${stderr}`))));
  });
}

describe('outbox under kill -9', () => {
  it('keeps every record whose append resolved, intact and in order, across random SIGKILLs', async () => {
    const script = transpileTree(path.join(here, 'fixtures', 'outbox-writer.ts'), repoRoot, path.join(work, 'js'));
    const dir = path.join(work, 'box');
    const random = seededRandom(20240611);
    const log: RunLog = { acknowledged: [], delivered: new Set() };
    const rounds = 6;
    let truncated = 0;
    for (let run = 0; run < rounds; run++) {
      await runAndKill(script, dir, run, 20 + Math.floor(random() * 250), log);
      // Reopen between kills as the next boot would: a torn tail is cut, nothing acknowledged goes.
      const box = await Outbox.open(dir, { segmentBytes: 4096, maxRecords: 1_000_000, maxBytes: 1 << 30 });
      truncated += box.stats.truncatedBytes;
      const present = new Map(box.peek(Number.MAX_SAFE_INTEGER).map((r) => [r.seq, r]));
      for (const a of log.acknowledged) {
        if (log.delivered.has(a.seq)) continue;
        const rec = present.get(a.seq);
        expect(rec, `record run ${a.run} n ${a.n} seq ${a.seq}`).toBeDefined();
        expect(Buffer.from(rec?.payload ?? []).equals(Buffer.from(expectedPayload(a.run, a.n)))).toBe(true);
      }
      const seqs = [...present.keys()];
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      // Appends of one run were issued in n order, so seq order must be n order too.
      const ns = [...present.values()].map((r) => new TextDecoder().decode(r.payload.subarray(0, 24)).split(':'));
      for (let i = 1; i < ns.length; i++) {
        const [prevRun, prevN] = ns[i - 1] ?? [];
        const [curRun, curN] = ns[i] ?? [];
        if (prevRun === curRun) expect(Number(curN)).toBeGreaterThan(Number(prevN));
      }
      await box.close();
    }
    expect(log.acknowledged.length).toBeGreaterThan(rounds);
    // Not every kill tears a frame; the count is reported so a run shows the path was exercised.
    console.log(`kill -9: ${rounds} kills, ${log.acknowledged.length} acknowledged appends, ${truncated} torn bytes truncated`);
  }, 60_000);
});
