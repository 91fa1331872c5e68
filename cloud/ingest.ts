/**
 * Ingestion of what vehicles report: telemetry, data snippets and OTA update status land in JSON
 * lines files per vehicle and day (`{dir}/{vehicleId}/{YYYY-MM-DD}.{kind}.jsonl`, day of the
 * record's own timestamp in UTC), de-duplicated by record ID, since delivery is at least once.
 * The PUBACK to the broker is sent only after the line is written, and the session is persistent,
 * so the broker keeps what arrives while ingest is down. Each record stored (or already stored) is
 * also confirmed to its vehicle with a DeliveryReceipt on `.../receipts`, batched: a vehicle with
 * `cloud.delivery: ingest` lets a record go from its outbox only then, so not even a broker that
 * loses what it had acknowledged loses a record.
 */
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { IClientOptions, MqttClient } from 'mqtt';
import { connectGuarded, DEFAULT_MAX_PACKET_BYTES } from '../wire/guarded-client.js';
import { CloudError } from '../wire/errors.js';
import { MAX_RECEIPT_IDS, decodeDataSnippet, decodeTelemetry, decodeUpdateStatus, encodeDeliveryReceipt } from '../wire/messages.js';
import { ingestFilters, parseVehicleTopic, vehicleTopics } from '../wire/topics.js';
import { noDelay } from '../wire/no-delay.js';

export interface IngestOptions {
  readonly url: string;
  readonly dataDir: string;
  readonly protocolVersion?: 4 | 5;
  readonly username?: string;
  readonly password?: string;
  /** Stable so the broker keeps the session while ingest is down; default `ecu-ai-ingest`. */
  readonly clientId?: string;
  /** How long record IDs gather before a receipt goes out, ms; default 20. */
  readonly receiptDelayMs?: number;
  /** Largest packet taken from the broker, bytes; default 4 MiB + 4 KiB (a data snippet's limit). */
  readonly maxPacketBytes?: number;
}

export interface IngestStats {
  stored: number;
  duplicates: number;
  rejected: number;
  /** Records that could not be stored (left unacknowledged, so the broker delivers them again). */
  failed: number;
  /** Receipts published (each confirms up to MAX_RECEIPT_IDS records). */
  receipts: number;
  /** Messages over `maxPacketBytes` dropped as they arrived, before being buffered. */
  oversize: number;
}

type Kind = 'telemetry' | 'snippets' | 'updateStatus';

interface Decoded {
  readonly recordId: string;
  readonly vehicleId: string;
  readonly tUnixMs: number;
  readonly line: Record<string, unknown>;
}

function decode(kind: Kind, payload: Buffer, source: string): Decoded {
  if (kind === 'telemetry') {
    const t = decodeTelemetry(payload, { source });
    return { recordId: t.recordId, vehicleId: t.vehicleId, tUnixMs: t.tUnixMs, line: { ...t } };
  }
  if (kind === 'snippets') {
    const s = decodeDataSnippet(payload, { source });
    const frames = s.frames.map((f) => ({ ...f, data: Buffer.from(f.data).toString('hex') }));
    return { recordId: s.recordId, vehicleId: s.vehicleId, tUnixMs: s.tUnixMs, line: { ...s, frames } };
  }
  const u = decodeUpdateStatus(payload, { source });
  return { recordId: u.recordId, vehicleId: u.vehicleId, tUnixMs: u.tUnixMs, line: { ...u } };
}

/** Record times ingest accepts: from 2000-01-01 to 2100-01-01 (UTC). */
const EARLIEST_RECORD_MS = Date.UTC(2000, 0, 1);
const LATEST_RECORD_MS = Date.UTC(2100, 0, 1);

/** The file a record belongs to. */
export function ingestFile(dataDir: string, vehicleId: string, kind: Kind, tUnixMs: number): string {
  const day = new Date(Number.isFinite(tUnixMs) && Math.abs(tUnixMs) < 8.64e15 ? tUnixMs : 0).toISOString().slice(0, 10);
  return path.join(dataDir, vehicleId, `${day}.${kind}.jsonl`);
}

/** Day files kept open at once (a fleet writes to one per vehicle, kind and day). */
const MAX_OPEN_FILES = 256;

export class Ingest {
  readonly stats: IngestStats = { stored: 0, duplicates: 0, rejected: 0, receipts: 0, failed: 0, oversize: 0 };
  readonly #opts: IngestOptions;
  readonly #seen = new Map<string, Set<string>>();
  /** Open day files, least recently written first: one open per file rather than per record. */
  readonly #files = new Map<string, FileHandle>();
  /** Record IDs stored and not yet confirmed, per vehicle. */
  readonly #toConfirm = new Map<string, string[]>();
  #receiptTimer: NodeJS.Timeout | undefined;
  #client: MqttClient | undefined;
  /** Oversized messages dropped on the socket whose empty stand-in has not arrived yet. */
  #emptied = 0;

  private constructor(opts: IngestOptions) {
    this.#opts = opts;
  }

  /**
   * Connects with a persistent session and subscribes to every vehicle's reports.
   * @throws {Error} when the broker refuses the connection
   */
  static async start(opts: IngestOptions): Promise<Ingest> {
    const ingest = new Ingest(opts);
    const v5 = (opts.protocolVersion ?? 5) === 5;
    const options: IClientOptions = {
      clientId: opts.clientId ?? 'ecu-ai-ingest',
      protocolVersion: opts.protocolVersion ?? 5,
      clean: false,
      reconnectPeriod: 250,
      ...(v5 ? { properties: { sessionExpiryInterval: 86_400 } } : {}),
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      manualConnect: true,
    };
    const client = connectGuarded(opts.url, options, { maxPacketBytes: opts.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES.ingest, onDrop: () => {
      ingest.stats.oversize++;
      ingest.#emptied++;
    } });
    // Set before connecting: stored sessions deliver (and get receipts) as soon as it connects.
    ingest.#client = client;
    // mqtt.js sends the PUBACK when this callback is called: after the line is on disk.
    client.handleMessage = (packet, done) => {
      ingest.#store(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload)).then(
        () => done(),
        (err: unknown) => {
          // Not stored (a disk error, say): no PUBACK, so the broker delivers it again; never fatal.
          ingest.stats.failed++;
          done(err instanceof Error ? err : new Error(String(err)));
        },
      );
    };
    client.on('error', () => undefined);
    client.on('connect', () => noDelay(client));
    client.connect();
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(ingestFilters(false), { qos: 1 });
    return ingest;
  }

  async #store(topic: string, payload: Buffer): Promise<void> {
    // An oversized message arrives emptied by the packet guard, which counted it as oversize.
    if (payload.length === 0 && this.#emptied > 0) {
      this.#emptied--;
      return;
    }
    const parsed = parseVehicleTopic(topic);
    const kind = parsed?.kind;
    if (!parsed || (kind !== 'telemetry' && kind !== 'snippets' && kind !== 'updateStatus')) {
      this.stats.rejected++;
      return;
    }
    let rec: Decoded;
    try {
      rec = decode(kind, payload, topic);
      if (rec.vehicleId !== parsed.vehicleId) throw new CloudError('CLOUD_PAYLOAD', topic, `record of vehicle ${rec.vehicleId} on another vehicle's topic`);
      // The time names the day file: one outside any vehicle's life is a bad record, not a new file.
      if (!(rec.tUnixMs >= EARLIEST_RECORD_MS && rec.tUnixMs < LATEST_RECORD_MS)) {
        throw new CloudError('CLOUD_PAYLOAD', topic, `record time ${rec.tUnixMs} ms is outside ${new Date(EARLIEST_RECORD_MS).toISOString()} .. ${new Date(LATEST_RECORD_MS).toISOString()}`);
      }
    } catch (err) {
      if (!(err instanceof CloudError)) throw err;
      this.stats.rejected++;
      return;
    }
    const file = ingestFile(this.#opts.dataDir, rec.vehicleId, kind, rec.tUnixMs);
    const seen = await this.#seenIn(file);
    if (seen.has(rec.recordId)) {
      // Confirmed again: the vehicle resent it because the first receipt did not reach it.
      this.stats.duplicates++;
      this.#confirm(rec.vehicleId, rec.recordId);
      return;
    }
    const handle = await this.#fileFor(file);
    await handle.appendFile(`${JSON.stringify(rec.line)}\n`);
    seen.add(rec.recordId);
    this.stats.stored++;
    this.#confirm(rec.vehicleId, rec.recordId);
  }

  async #fileFor(file: string): Promise<FileHandle> {
    let handle = this.#files.get(file);
    if (handle !== undefined) {
      // Most recently used last, so the first entry is the one to close when too many are open.
      this.#files.delete(file);
      this.#files.set(file, handle);
      return handle;
    }
    // The fleet's data: readable by the ingest's user alone.
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    handle = await open(file, 'a', 0o600);
    this.#files.set(file, handle);
    if (this.#files.size > MAX_OPEN_FILES) {
      const [oldest, h] = this.#files.entries().next().value as [string, FileHandle];
      this.#files.delete(oldest);
      await h.close();
    }
    return handle;
  }

  #confirm(vehicleId: string, recordId: string): void {
    const ids = this.#toConfirm.get(vehicleId) ?? [];
    ids.push(recordId);
    this.#toConfirm.set(vehicleId, ids);
    if (ids.length >= MAX_RECEIPT_IDS) this.#sendReceipts();
    else this.#receiptTimer ??= setTimeout(() => this.#sendReceipts(), this.#opts.receiptDelayMs ?? 20);
  }

  #sendReceipts(): void {
    clearTimeout(this.#receiptTimer);
    this.#receiptTimer = undefined;
    const client = this.#client;
    for (const [vehicleId, ids] of this.#toConfirm) {
      for (let i = 0; i < ids.length; i += MAX_RECEIPT_IDS) {
        const recordIds = ids.slice(i, i + MAX_RECEIPT_IDS);
        // QoS 1 and the vehicle's persistent session: a receipt waits for a vehicle that is offline.
        // A lost one costs a resend, which the de-duplication confirms again.
        client?.publish(vehicleTopics(vehicleId).receipts, Buffer.from(encodeDeliveryReceipt({ vehicleId, recordIds })), { qos: 1 });
        this.stats.receipts++;
      }
    }
    this.#toConfirm.clear();
  }

  /** The record IDs already in a file, read once (after a restart the file is the memory). */
  async #seenIn(file: string): Promise<Set<string>> {
    let seen = this.#seen.get(file);
    if (seen) return seen;
    seen = new Set();
    try {
      for (const line of (await readFile(file, 'utf8')).split('\n')) {
        if (!line) continue;
        try {
          const id = (JSON.parse(line) as { recordId?: unknown }).recordId;
          if (typeof id === 'string') seen.add(id);
        } catch {
          // A line cut by a crash of ingest: its record is redelivered (no PUBACK was sent) and written again.
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.#seen.set(file, seen);
    return seen;
  }

  async stop(): Promise<void> {
    this.#sendReceipts();
    await this.#client?.endAsync();
    for (const h of this.#files.values()) await h.close();
    this.#files.clear();
  }
}
