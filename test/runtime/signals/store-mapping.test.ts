import { describe, expect, it } from 'vitest';
import { SignalCatalog, SignalStore, type CatalogEntry } from '../../../runtime/signals/index.js';

const can0 = { channel: 'can0' };

function storeOf(...entries: CatalogEntry[]): SignalStore {
  return new SignalStore(new SignalCatalog(entries, 'test'));
}

/** A multiplexed message as a compiled DBC describes it: switch `Page`, `Val` on pages 1 and 2, `Only2` on page 2. */
const PAGED = {
  name: 'Paged',
  cycleTimeMs: 10,
  signals: [
    { name: 'Page', isMultiplexer: true },
    { name: 'Val', multiplexerSignal: 'Page', multiplexerIds: [1, 2] },
    { name: 'Only2', multiplexerSignal: 'Page', multiplexerIds: [2] },
  ],
};

describe('SignalStore with mapped entries', () => {
  it("applies an entry's transform to the decoded message, beside entries taken as is", () => {
    const store = storeOf(
      { name: 'Vehicle.Speed', message: 'Ego', signal: 'SpeedMps', transform: (d) => (d['SpeedMps'] as number) * 3.6 },
      { name: 'Vehicle.Raw', message: 'Ego', signal: 'SpeedMps' },
    );
    expect(store.ingest(can0, { name: 'Ego' }, { SpeedMps: 10 }, 1)).toBe(2);
    expect(store.get('Vehicle.Speed', 1)?.value).toBeCloseTo(36, 12);
    expect(store.get('Vehicle.Raw', 1)?.value).toBe(10);
  });

  it('computes an entry from several signals of its message, and skips it when the transform has no answer', () => {
    const store = storeOf({
      name: 'Vehicle.Axle.Speed',
      message: 'Wheels',
      signal: 'FL',
      operands: ['FL', 'FR'],
      transform: (d) => (typeof d['FL'] === 'number' && typeof d['FR'] === 'number' ? (d['FL'] + d['FR']) / 2 : undefined),
    });
    store.ingest(can0, { name: 'Wheels' }, { FL: 10, FR: 14 }, 1);
    expect(store.get('Vehicle.Axle.Speed', 1)?.value).toBe(12);
    expect(store.ingest(can0, { name: 'Wheels' }, { FL: 11 }, 2)).toBe(0);
    expect(store.get('Vehicle.Axle.Speed', 2)?.timestamp).toBe(1);
  });

  it('counts a transform that throws and keeps the previous value', () => {
    const store = storeOf({
      name: 'Vehicle.X',
      message: 'M',
      signal: 'A',
      transform: (d) => {
        if (d['A'] === 0) throw new Error('no value for 0');
        return d['A'];
      },
    });
    store.ingest(can0, { name: 'M' }, { A: 5 }, 1);
    expect(store.ingest(can0, { name: 'M' }, { A: 0 }, 2)).toBe(0);
    expect(store.transformErrors).toBe(1);
    expect(store.get('Vehicle.X', 2)?.value).toBe(5);
  });

  it('feeds a signal only from frames whose multiplexer has its value', () => {
    const store = storeOf({ name: 'Vehicle.OnPage2', message: 'Paged', signal: 'Val', muxValue: 2 });
    expect(store.ingest(can0, PAGED, { Page: 1, Val: 5 }, 1)).toBe(0);
    expect(store.get('Vehicle.OnPage2', 1)).toBeUndefined();
    expect(store.ingest(can0, PAGED, { Page: 2, Val: 6, Only2: 0 }, 2)).toBe(1);
    expect(store.ingest(can0, PAGED, { Page: 1, Val: 7 }, 3)).toBe(0);
    expect(store.get('Vehicle.OnPage2', 3)?.value).toBe(6);
  });

  it('takes a signal the codec decodes on its one page only as is, with the same answers', () => {
    const store = storeOf({ name: 'Vehicle.Only2', message: 'Paged', signal: 'Only2', muxValue: 2 });
    expect(store.ingest(can0, PAGED, { Page: 1, Val: 5 }, 1)).toBe(0);
    expect(store.ingest(can0, PAGED, { Page: 2, Val: 6, Only2: 9 }, 2)).toBe(1);
    expect(store.get('Vehicle.Only2', 2)?.value).toBe(9);
    // A multiplexed signal's period is its own, not the message's cycle time.
    expect(store.get('Vehicle.Only2', 2)?.periodS).toBeUndefined();
  });

  it('stores one-page signals of a multiplexed message from their page only, beside signals on several pages', () => {
    const store = storeOf(
      { name: 'Vehicle.Only2', message: 'Paged', signal: 'Only2' },
      { name: 'Vehicle.Val', message: 'Paged', signal: 'Val' },
    );
    expect(store.ingest(can0, PAGED, { Page: 1, Val: 5 }, 1)).toBe(1);
    expect(store.get('Vehicle.Only2', 1)).toBeUndefined();
    expect(store.ingest(can0, PAGED, { Page: 2, Val: 6, Only2: 9 }, 2)).toBe(2);
    expect(store.get('Vehicle.Only2', 2)?.value).toBe(9);
    expect(store.get('Vehicle.Val', 2)?.value).toBe(6);
    // A switch decoded to a value-table label still feeds the page's signals.
    expect(store.ingest(can0, PAGED, { Page: 'TWO', Val: 7, Only2: 10 }, 3)).toBe(2);
    expect(store.get('Vehicle.Only2', 3)?.value).toBe(10);
  });

  it('computes transformed signals of a multiplexed message from their own page only', () => {
    const store = storeOf(
      { name: 'Vehicle.Page1', message: 'Paged', signal: 'Val', muxValue: 1, transform: (d) => (d['Val'] as number) * 10 },
      { name: 'Vehicle.Page2', message: 'Paged', signal: 'Val', muxValue: 2, transform: (d) => (d['Val'] as number) * 100 },
      { name: 'Vehicle.Any', message: 'Paged', signal: 'Val', transform: (d) => (d['Val'] as number) + 1 },
    );
    expect(store.ingest(can0, PAGED, { Page: 1, Val: 5 }, 1)).toBe(2);
    expect(store.get('Vehicle.Page1', 1)?.value).toBe(50);
    expect(store.get('Vehicle.Page2', 1)).toBeUndefined();
    expect(store.ingest(can0, PAGED, { Page: 2, Val: 6, Only2: 0 }, 2)).toBe(2);
    expect(store.get('Vehicle.Page2', 2)?.value).toBe(600);
    expect(store.get('Vehicle.Page1', 2)?.value).toBe(50);
    expect(store.get('Vehicle.Any', 2)?.value).toBe(7);
    // A switch decoded to a label selects no page: only the entry without a page is fed.
    expect(store.ingest(can0, PAGED, { Page: 'TWO', Val: 8 }, 3)).toBe(1);
    expect(store.get('Vehicle.Page2', 3)?.value).toBe(600);
  });

  it('checks a plain signal of a multiplexed message against the top multiplexer', () => {
    const message = { name: 'Paged', signals: [{ name: 'Page', isMultiplexer: true }, { name: 'Flag' }] };
    const store = storeOf({ name: 'Vehicle.Flag', message: 'Paged', signal: 'Flag', muxValue: 3 });
    expect(store.ingest(can0, message, { Page: 2, Flag: 1 }, 1)).toBe(0);
    expect(store.ingest(can0, message, { Page: 3, Flag: 1 }, 2)).toBe(1);
  });

  it('never feeds a multiplexer value from a message that has no multiplexer', () => {
    const store = storeOf({ name: 'Vehicle.Flag', message: 'Plain', signal: 'Flag', muxValue: 0 });
    expect(store.ingest(can0, { name: 'Plain', signals: [{ name: 'Flag' }] }, { Flag: 1 }, 1)).toBe(0);
    expect(store.get('Vehicle.Flag', 1)).toBeUndefined();
  });

  it("judges validity by an entry's timeout instead of its period", () => {
    const store = storeOf({ name: 'Vehicle.Slow', message: 'Ego', signal: 'A', timeoutMs: 500 }, { name: 'Vehicle.Fast', message: 'Ego', signal: 'B' });
    const ego = { name: 'Ego', cycleTimeMs: 10 };
    store.ingest(can0, ego, { A: 1, B: 1 }, 1);
    // Five 10 ms periods have gone by: the periods rule has given up on B, the timeout holds A.
    expect(store.get('Vehicle.Fast', 1.2)?.valid).toBe(false);
    expect(store.get('Vehicle.Slow', 1.2)?.valid).toBe(true);
    expect(store.get('Vehicle.Slow', 1.2)?.limitS).toBe(0.5);
    expect(store.get('Vehicle.Slow', 1.51)?.valid).toBe(false);
  });
});
