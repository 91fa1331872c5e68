/**
 * The behaviour every Bus backend owes its users, written once and run against each backend.
 * `make` returns two endpoints on one medium; what one sends the other reads.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BusClosedError } from '../../../bus/errors.js';
import { bytesToHex, makeFrame, type CanFrame } from '../../../bus/frame.js';
import type { Bus } from '../../../bus/transport/bus.js';
import { take } from './take.js';

export interface TransportPair {
  readonly a: Bus;
  readonly b: Bus;
  /** Releases whatever else the medium needed (servers, networks). */
  readonly dispose?: () => Promise<void>;
}

export interface TransportCapabilities {
  /** The medium carries CAN FD frames. */
  readonly fd: boolean;
}

function essentials(f: CanFrame): string {
  return `${f.id}/${f.extended}/${f.fd}/${f.brs}/${f.dlc}/${bytesToHex(f.data)}`;
}

export function describeTransport(name: string, make: () => Promise<TransportPair>, caps: TransportCapabilities): void {
  describe(`the ${name} transport (Bus contract)`, () => {
    let pair: TransportPair;
    beforeEach(async () => {
      pair = await make();
    });
    afterEach(async () => {
      await pair.a.close();
      await pair.b.close();
      await pair.dispose?.();
    });

    it('delivers a frame sent on one endpoint to a reader on the other, intact', async () => {
      const reading = take(pair.b.frames(), 1);
      const sent = makeFrame({ id: 0x123, data: [0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3] });
      await pair.a.send(sent);
      const [got] = await reading;
      expect(got && essentials(got)).toBe(essentials(sent));
    });

    it('keeps the send order of many frames', async () => {
      const ids = Array.from({ length: 200 }, (_, i) => (i * 37) % 0x7ff);
      const reading = take(pair.b.frames(), ids.length, 4000);
      for (const id of ids) await pair.a.send(makeFrame({ id, data: [id & 0xff] }));
      expect((await reading).map((f) => f.id)).toEqual(ids);
    });

    it('carries 29-bit identifiers and empty payloads', async () => {
      const frames = [makeFrame({ id: 0x1abcdef0, extended: true, data: [1, 2, 3] }), makeFrame({ id: 0x7, extended: false, data: [] })];
      const reading = take(pair.b.frames(), frames.length);
      for (const f of frames) await pair.a.send(f);
      expect((await reading).map(essentials)).toEqual(frames.map(essentials));
    });

    // Registered only where the medium has FD at all, so classic-only media show no phantom skips.
    if (caps.fd) it('carries CAN FD frames with bit-rate switch', async () => {
      const sent = makeFrame({ id: 0x321, fd: true, brs: true, data: Array.from({ length: 64 }, (_, i) => i) });
      const reading = take(pair.b.frames(), 1);
      await pair.a.send(sent);
      const [got] = await reading;
      expect(got && essentials(got)).toBe(essentials(sent));
    });

    it('gives every frames() call its own reader that sees every frame', async () => {
      const first = take(pair.b.frames(), 3);
      const second = take(pair.b.frames(), 3);
      for (const id of [1, 2, 3]) await pair.a.send(makeFrame({ id }));
      expect((await first).map((f) => f.id)).toEqual([1, 2, 3]);
      expect((await second).map((f) => f.id)).toEqual([1, 2, 3]);
    });

    it('ends a reader when its signal aborts', async () => {
      const ac = new AbortController();
      const collected: number[] = [];
      const done = (async () => {
        for await (const f of pair.b.frames(ac.signal)) collected.push(f.id);
      })();
      await pair.a.send(makeFrame({ id: 5 }));
      await expect.poll(() => collected.length, { timeout: 2000 }).toBe(1);
      ac.abort();
      await done;
      expect(collected).toEqual([5]);
    });

    it('ends readers on close, refuses sends afterwards, and closes idempotently', async () => {
      const reader = pair.b.frames()[Symbol.asyncIterator]();
      const next = reader.next();
      await pair.b.close();
      await expect(next).resolves.toEqual({ done: true, value: undefined });
      await pair.b.close();
      await expect(pair.b.send(makeFrame({ id: 1 }))).rejects.toBeInstanceOf(BusClosedError);
    });

    it('counts sent and received frames', async () => {
      const reading = take(pair.b.frames(), 4);
      for (let i = 0; i < 4; i++) await pair.a.send(makeFrame({ id: 0x100 + i }));
      await reading;
      expect(pair.a.stats.sent).toBe(4);
      await expect.poll(() => pair.b.stats.received).toBe(4);
      expect(pair.b.stats.dropped).toBe(0);
    });
  });
}
