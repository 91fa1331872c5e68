/**
 * Drains the outbox to the broker: publishes the oldest records with QoS 1, a bounded window in
 * flight, and acknowledges each in the outbox on its PUBACK. While the link is down it waits;
 * mqtt.js keeps the in-flight window and resends it first after a reconnect, so order is kept and
 * a record is at worst delivered twice (the cloud de-duplicates by record ID).
 */
import type { Outbox, OutboxRecord } from './outbox.js';
import type { CloudLink } from './mqtt-link.js';

export type OutboxKind = 'telemetry' | 'snippets' | 'updateStatus';

export interface ForwarderStats {
  published: number;
  acked: number;
  /** Records whose kind has no topic: acknowledged without sending (a programming error upstream). */
  undeliverable: number;
}

export class OutboxForwarder {
  readonly stats: ForwarderStats = { published: 0, acked: 0, undeliverable: 0 };
  readonly #outbox: Outbox;
  readonly #link: CloudLink;
  readonly #window: number;
  readonly #inFlight = new Set<number>();
  readonly #offs: (() => void)[] = [];
  readonly #idleWaiters: (() => void)[] = [];
  #cursor = 0;
  #generation = 0;
  #running = false;

  constructor(outbox: Outbox, link: CloudLink, opts: { window?: number } = {}) {
    this.#outbox = outbox;
    this.#link = link;
    this.#window = opts.window ?? 32;
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
    this.#kick();
  }

  stop(): void {
    this.#running = false;
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
    this.#cursor = this.#outbox.ackedSeq;
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
    this.#inFlight.add(rec.seq);
    this.stats.published++;
    const generation = this.#generation;
    this.#link.publish(topic, rec.payload).then(
      () => {
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
        this.#cursor = Math.min(this.#cursor, rec.seq - 1);
      },
    );
  }
}
