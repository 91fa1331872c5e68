import { describe, expect, it } from 'vitest';
import { makeFrame, type CanFrame } from '../../../bus/frame.js';
import { FeatureWindow, parseSignalCatalog, SignalRouter, SignalStore, type FrameCodec, type FrameDecoder } from '../../../runtime/signals/index.js';

/** A stand-in compiled DBC: 0x100 ESP_Speed (speed = byte0 * 0.5), 0x200 Broken (always throws), 0x300 Unused. */
const fakeDb: FrameDecoder = {
  forFrame(frame: CanFrame): FrameCodec | undefined {
    switch (frame.id) {
      case 0x100:
        return {
          message: { name: 'ESP_Speed', cycleTimeMs: 20 },
          decode: (data) => {
            if (data.length < 1) throw new Error('ESP_Speed needs 1 byte');
            return { VehicleSpeed: (data[0] as number) * 0.5 };
          },
        };
      case 0x200:
        return { message: { name: 'Broken' }, decode: () => { throw new Error('bad checksum'); } };
      case 0x300:
        return { message: { name: 'Unused' }, decode: () => ({ X: 1 }) };
      default:
        return undefined;
    }
  },
};

const catalog = parseSignalCatalog({
  'Vehicle.Speed': { message: 'ESP_Speed', signal: 'VehicleSpeed' },
  'Vehicle.Broken': { message: 'Broken', signal: 'Sig' },
});

const speedFrame = (t: number, raw: number, channel = 'can0'): CanFrame => makeFrame({ id: 0x100, data: [raw], timestamp: t, channel });

describe('SignalRouter', () => {
  it('decodes frames into the store with the frame timestamp', () => {
    const store = new SignalStore(catalog);
    const router = new SignalRouter(fakeDb, store);
    expect(router.ingest(speedFrame(1, 40))).toBe(1);
    expect(store.get('Vehicle.Speed', 1)).toMatchObject({ value: 20, timestamp: 1, valid: true, periodS: 0.02 });
    expect(router.ingest(speedFrame(1.5, 42), 7)).toBe(1);
    expect(store.get('Vehicle.Speed', 7)?.timestamp).toBe(7);
  });

  it('counts decode failures per message and never throws them', () => {
    const store = new SignalStore(catalog);
    const router = new SignalRouter(fakeDb, store);
    for (let i = 0; i < 3; i++) expect(router.ingest(makeFrame({ id: 0x200, data: [1], timestamp: i }))).toBe(0);
    expect(router.ingest(makeFrame({ id: 0x100, data: [], timestamp: 4 }))).toBe(0);
    expect(router.ingest(speedFrame(5, 2))).toBe(1);
    expect(router.decodeErrors().get('Broken')).toBe(3);
    expect(router.decodeErrors().get('ESP_Speed')).toBe(1);
    expect(router.firstDecodeError('Broken')).toBe('bad checksum');
    expect(router.stats()).toEqual({ frames: 5, routed: 1, ignored: 0, decodeErrors: 4 });
  });

  it('counts a codec lookup that throws under the frame id', () => {
    const throwing: FrameDecoder = { forFrame: () => { throw new Error('boom'); } };
    const router = new SignalRouter(throwing, new SignalStore(catalog));
    expect(router.ingest(makeFrame({ id: 0x7ff, data: [] }))).toBe(0);
    expect(router.decodeErrors().get('0x7ff')).toBe(1);
  });

  it('ignores error, remote, unknown, unused and other-channel frames without decoding', () => {
    const store = new SignalStore(catalog);
    const router = new SignalRouter(fakeDb, store, { channels: ['can0'] });
    router.ingest(makeFrame({ id: 0x100, error: true, data: [] }));
    router.ingest(makeFrame({ id: 0x100, rtr: true, dlc: 1, data: [] }));
    router.ingest(makeFrame({ id: 0x555, data: [1] }));
    router.ingest(makeFrame({ id: 0x300, data: [1] }));
    router.ingest(speedFrame(1, 10, 'can1'));
    expect(router.stats()).toEqual({ frames: 5, routed: 0, ignored: 5, decodeErrors: 0 });
    expect(store.get('Vehicle.Speed', 10)).toBeUndefined();
  });

  it('samples attached windows before each frame, so batched and stepwise feeding agree', () => {
    const frames = Array.from({ length: 60 }, (_, n) => speedFrame(n * 0.013, n % 256));
    const feed = (stepwise: boolean): number[] => {
      const store = new SignalStore(catalog);
      const router = new SignalRouter(fakeDb, store);
      const w = new FeatureWindow(store, { signals: ['Vehicle.Speed'], rateHz: 100, length: 8 });
      router.attach(w);
      for (const f of frames) {
        router.ingest(f);
        if (stepwise) w.advanceTo(f.timestamp);
      }
      w.advanceTo(frames.at(-1)?.timestamp ?? 0);
      const out = new Float32Array(8);
      w.snapshot(out);
      return [...out];
    };
    const batched = feed(false);
    expect(batched).toEqual(feed(true));
    // The last frame is at 0.767 s, so the last tick is 0.76 s; it holds the newest frame at or
    // before it, frame n = floor(0.76 / 0.013), whose speed is n * 0.5.
    expect(batched.at(-1)).toBe(Math.floor(0.76 / 0.013) * 0.5);
  });
});
