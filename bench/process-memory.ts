/**
 * Memory of a process tree on Linux, counted the way the board sees it. RSS counts the node binary
 * and libonnxruntime once per process and PSS splits them with unrelated processes, so neither says
 * what a multi-process daemon costs. The union of the physical pages its processes have resident
 * (from /proc/PID/pagemap) does: each page once, shared or not. Reading page frame numbers needs
 * CAP_SYS_ADMIN; without it the union is `undefined` and only the per-process figures remain.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

export interface ProcessMemory {
  readonly pid: number;
  /** MB resident, shared pages included. */
  readonly rss: number;
  /** MB, shared pages divided among every process that maps them (on the whole machine). */
  readonly pss: number;
  /** MB only this process maps. */
  readonly uss: number;
}

export interface TreeMemory {
  readonly processes: readonly ProcessMemory[];
  /** MB of distinct physical pages resident in any process of the tree; undefined without the privilege. */
  readonly union: number | undefined;
}

const PAGE = 4096;
const PRESENT = 1n << 63n;
const PFN_MASK = (1n << 55n) - 1n;

/** Per-process figures from /proc/PID/smaps_rollup. @throws {Error} when the process is gone. */
export function processMemory(pid: number): ProcessMemory {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { pid, rss: kb('Rss') / 1024, pss: kb('Pss') / 1024, uss: (kb('Private_Clean') + kb('Private_Dirty')) / 1024 };
}

/** The resident mappings of a process (from smaps, so reserved-but-untouched ranges are skipped). */
function residentRanges(pid: number): [number, number][] {
  const ranges: [number, number][] = [];
  let current: [number, number] | undefined;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (head) {
      current = [parseInt(head[1] as string, 16), parseInt(head[2] as string, 16)];
      continue;
    }
    const rss = /^Rss:\s+(\d+)/.exec(line);
    if (rss && current && Number(rss[1]) > 0) ranges.push(current);
  }
  return ranges;
}

/** Adds the page frame numbers of `pid`'s resident pages to `into`; false if the kernel hides them. */
function addFrames(pid: number, into: Set<bigint>): boolean {
  const fd = openSync(`/proc/${pid}/pagemap`, 'r');
  let sawFrame = false;
  let sawPresent = false;
  try {
    for (const [start, end] of residentRanges(pid)) {
      const pages = (end - start) / PAGE;
      const buf = Buffer.alloc(pages * 8);
      const got = readSync(fd, buf, 0, buf.length, (start / PAGE) * 8);
      for (let off = 0; off + 8 <= got; off += 8) {
        const entry = buf.readBigUInt64LE(off);
        if ((entry & PRESENT) === 0n) continue;
        sawPresent = true;
        const pfn = entry & PFN_MASK;
        if (pfn !== 0n) {
          sawFrame = true;
          into.add(pfn);
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return sawFrame || !sawPresent;
}

/** Memory of the given processes; `union` is undefined where page frame numbers are not readable. */
export function treeMemory(pids: readonly number[]): TreeMemory {
  const processes = pids.map(processMemory);
  const frames = new Set<bigint>();
  let visible = true;
  for (const pid of pids) visible = addFrames(pid, frames) && visible;
  return { processes, union: visible ? (frames.size * PAGE) / 2 ** 20 : undefined };
}

/** The children of a process (one level), from /proc. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(/\s+/)
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}
