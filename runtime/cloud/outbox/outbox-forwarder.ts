/**
 * Drains the outbox to the broker: publishes the oldest records with QoS 1, a bounded window in
 * flight, and lets each go from the outbox once it is confirmed. While the link is down it waits;
 * after a reconnect it sends again everything not yet confirmed, so a record is at worst delivered
 * twice (the cloud de-duplicates by record ID).
 *
 * Confirmed means, with `confirm: 'broker'` (the default), the broker's PUBACK: a broker that loses
 * what it acknowledged (a crash between its saves) loses those records. With `confirm: 'ingest'`, a
 * record stays until ingest's DeliveryReceipt names it, i.e. until it is on the cloud's disk; one
 * without a receipt after `receiptTimeoutMs` is sent again.
 */
import { RealClock, type Clock } from '../../clock.js';
import { CloudError } from '../../errors.js';
import { decodeDataSnippet, decodeTelemetry, decodeUpdateStatus } from '../../../wire/messages.js';
import type { Outbox, OutboxRecord } from './outbox.js';
import type { CloudLink } from '../link/mqtt-link.js';

export type OutboxKind = 'telemetry' | 'snippets' | 'updateStatus';

export interface ForwarderOptions {
  /**
   * Records in flight at most; default 32, or 256 with `confirm: 'ingest'`, where a record stays in
   * flight until a receipt (batched every 20 ms) comes back and the window bounds the drain rate.
   */
  readonly window?: number;
  /** What lets a record go from the outbox: the broker's PUBACK (default) or ingest's receipt. */
  readonly confirm?: 'broker' | 'ingest';
  /** With `confirm: 'ingest'`: a record without a receipt this long is sent again; default 10000. */
  readonly receiptTimeoutMs?: number;
  readonly clock?: Clock;
}

export interface ForwarderStats {
  published: number;
  /** PUBACKs received (in `confirm: 'ingest'` they let nothing go). */
  pubacked: number;
  acked: number;
  /** Sends again because a receipt did not come in time (`confirm: 'ingest'`). */
  resends: number;
  /** Records whose kind has no topic: acknowledged without sending (a programming error upstream). */
  undeliverable: number;
}

export class OutboxForwarder {
  readonly stats: ForwarderStats = { published: 0, pubacked: 0, acked: 0, resends: 0, undeliverable: 0 };
  readonly #outbox: Outbox;
  readonly #link: CloudLink;
  readonly #window: number;
  readonly #byIngest: boolean;
  readonly #receiptTimeoutS: number;
  readonly #clock: Clock;
  readonly #inFlight = new Set<number>();
  /** Records sent and waiting for their receipt, by record ID (`confirm: 'ingest'`). */
  readonly #awaiting = new Map<string, { readonly seq: number; readonly sentAt: number }>();
  #receiptCheck: NodeJS.Timeout | undefined;
  readonly #offs: (() => void)[] = [];
  readonly #idleWaiters: (() => void)[] = [];
  #cursor = 0;
  #generation = 0;
  #running = false;

  constructor(outbox: Outbox, link: CloudLink, opts: ForwarderOptions = {}) {
    this.#outbox = outbox;
    this.#link = link;
    this.#byIngest = opts.confirm === 'ingest';
    this.#window = opts.window ?? (this.#byIngest ? 256 : 32);
    this.#receiptTimeoutS = (opts.receiptTimeoutMs ?? 10_000) / 1000;
    this.#clock = opts.clock ?? new RealClock();
  }

  /** Starts draining now and whenever a record becomes durable or the link comes back. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#offs.push(this.#outbox.onDurable(() => this.#kick()));
    this.#offs.push(
      this.#link.onConnectionChange((up) => {
        // After a reconnect, send again everything not yet acknowledged rather than trusting that
        // the client resends its in-flight window: a broker that lost the session may never PUBACK it.
        if (up) this.#rewind();
        this.#kick();
      }),
    );
    if (this.#byIngest) {
      this.#offs.push(this.#link.onReceipt((ids) => this.#onReceipt(ids)));
      const every = Math.max(50, (this.#receiptTimeoutS * 1000) / 4);
      this.#receiptCheck = setInterval(() => this.#checkReceipts(), every);
    }
    this.#kick();
  }

  stop(): void {
    this.#running = false;
    clearInterval(this.#receiptCheck);
    this.#receiptCheck = undefined;
    for (const off of this.#offs.splice(0)) off();
  }

  /** Resolves when the outbox is empty and nothing is in flight (or after `timeoutMs`: false). */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.#isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  #rewind(): void {
    this.#generation++;
    this.#inFlight.clear();
    this.#awaiting.clear();
    this.#cursor = this.#outbox.ackedSeq;
  }

  #onReceipt(ids: readonly string[]): void {
    for (const id of ids) {
      const a = this.#awaiting.get(id);
      if (a === undefined) continue;
      this.#awaiting.delete(id);
      this.#inFlight.delete(a.seq);
      this.#outbox.ack(a.seq);
      this.stats.acked++;
    }
    this.#kick();
  }

  /** Sends again from the oldest record still unconfirmed when a receipt is overdue. */
  #checkReceipts(): void {
    const oldest = this.#awaiting.values().next().value;
    if (oldest === undefined || this.#clock.now() - oldest.sentAt < this.#receiptTimeoutS) return;
    this.stats.resends++;
    this.#rewind();
    this.#kick();
  }

  #isIdle(): boolean {
    return this.#inFlight.size === 0 && this.#outbox.size === 0;
  }

  #topic(kind: string): string | undefined {
    const t = this.#link.topics;
    return kind === 'telemetry' ? t.telemetry : kind === 'snippets' ? t.snippets : kind === 'updateStatus' ? t.updateStatus : undefined;
  }

  #kick(): void {
    if (!this.#running || !this.#link.connected) return;
    const room = this.#window - this.#inFlight.size;
    if (room <= 0) return;
    for (const rec of this.#outbox.peek(room, this.#cursor)) this.#send(rec);
    if (this.#isIdle()) for (const w of this.#idleWaiters.splice(0)) w();
  }

  #send(rec: OutboxRecord): void {
    this.#cursor = rec.seq;
    const topic = this.#topic(rec.kind);
    if (topic === undefined) {
      this.stats.undeliverable++;
      this.#outbox.ack(rec.seq);
      return;
    }
    let recordId: string | undefined;
    if (this.#byIngest) {
      recordId = recordIdOf(rec);
      if (recordId === undefined) {
        // No receipt could ever name it: waiting for one would stall the outbox for good.
        this.stats.undeliverable++;
        this.#outbox.ack(rec.seq);
        return;
      }
      this.#awaiting.set(recordId, { seq: rec.seq, sentAt: this.#clock.now() });
    }
    this.#inFlight.add(rec.seq);
    this.stats.published++;
    const generation = this.#generation;
    this.#link.publish(topic, rec.payload).then(
      () => {
        this.stats.pubacked++;
        // With receipts the PUBACK proves nothing yet: the record stays until ingest confirms it.
        if (this.#byIngest) return;
        // A PUBACK from before a reconnect still proves delivery; acking twice is harmless.
        if (generation === this.#generation) this.#inFlight.delete(rec.seq);
        this.#outbox.ack(rec.seq);
        this.stats.acked++;
        this.#kick();
      },
      () => {
        // Only a closing link rejects; rewind so a later start sends it again.
        if (generation !== this.#generation) return;
        this.#inFlight.delete(rec.seq);
        if (recordId !== undefined) this.#awaiting.delete(recordId);
        this.#cursor = Math.min(this.#cursor, rec.seq - 1);
      },
    );
  }
}

/** The record ID inside an outbox record's payload; undefined when the payload does not decode. */
function recordIdOf(rec: OutboxRecord): string | undefined {
  try {
    if (rec.kind === 'telemetry') return decodeTelemetry(rec.payload).recordId;
    if (rec.kind === 'snippets') return decodeDataSnippet(rec.payload).recordId;
    if (rec.kind === 'updateStatus') return decodeUpdateStatus(rec.payload).recordId;
  } catch (err) {
    if (!(err instanceof CloudError)) throw err;
  }
  return undefined;
}
