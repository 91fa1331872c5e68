/**
 * Where finished snippets go: the outbox (as `DataSnippet` records, forwarded to the cloud) in the
 * daemon, or one JSON file per snippet in a folder (a replay, a bench rig).
 */
import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';
import type { DataSnippet } from '../../wire/messages.js';
import type { VehicleReporter } from '../cloud/facade/reporter.js';
import type { SnippetCapture } from './recorder.js';

/** Longest `result_json` sent; a larger result (a domain returning tensors) is replaced by a note. */
const MAX_RESULT_JSON = 16 << 10;

/** The record body of a snippet (the reporter adds record and vehicle IDs). */
export function toDataSnippet(c: SnippetCapture): Omit<DataSnippet, 'recordId' | 'vehicleId'> {
  let resultJson: string | undefined;
  if (c.result) {
    const text = JSON.stringify(c.result);
    resultJson = text.length <= MAX_RESULT_JSON ? text : JSON.stringify({ ...c.result, value: `(${text.length} characters, left out)` });
  }
  return {
    trigger: c.trigger,
    tUnixMs: c.tUnixMs,
    preS: c.preS,
    postS: c.postS,
    frames: c.frames,
    signals: c.signals,
    domain: c.domain,
    detail: c.detail,
    ...(resultJson !== undefined ? { resultJson } : {}),
    ...(c.truncated ? { truncated: true } : {}),
  };
}

/**
 * A sink that queues each snippet in the outbox at its priority (safety above the others).
 * @throws {CloudError} OUTBOX_FULL (rejects) when the outbox is full of more important records
 */
export function outboxSnippetSink(reporter: VehicleReporter): (c: SnippetCapture) => Promise<void> {
  return async (c) => {
    await reporter.snippet(toDataSnippet(c), c.priority);
  };
}

/** The file name of a snippet in a folder: emission order first, so a listing reads in order. */
export function snippetFileName(c: SnippetCapture): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${String(c.seq).padStart(5, '0')}-${safe(c.trigger)}-${safe(c.domain)}.json`;
}

/** The JSON a folder sink writes: the record body with frame data as lowercase hex. */
export function snippetJson(c: SnippetCapture): string {
  const body = toDataSnippet(c);
  const frames = body.frames.map((f) => ({ ...f, data: Buffer.from(f.data).toString('hex') }));
  return `${JSON.stringify({ ...body, priority: c.priority, frames }, null, 1)}\n`;
}

/**
 * A sink that writes each snippet to `dir` (created if needed), write-then-rename with fsync so a
 * reader never sees half a file.
 * @throws {Error} (rejects) file-system errors as node raises them
 */
export function folderSnippetSink(dir: string): (c: SnippetCapture) => Promise<void> {
  let made: Promise<unknown> | undefined;
  return async (c) => {
    made ??= mkdir(dir, { recursive: true, mode: 0o700 });
    await made;
    const file = path.join(dir, snippetFileName(c));
    const tmp = `${file}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(snippetJson(c));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  };
}
