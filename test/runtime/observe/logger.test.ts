import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.js';
import { componentLogger, createLogger } from '../../../runtime/observe/index.js';

/** A destination that keeps each JSON line pino writes. */
function sink(): { write(s: string): void; lines(): Record<string, unknown>[] } {
  const chunks: string[] = [];
  return {
    write: (s: string) => void chunks.push(s),
    lines: () => chunks.join('').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes one JSON object per line with level, name, base fields and message', () => {
    const dest = sink();
    const log = createLogger({ destination: dest, base: { vehicle: 'v1' } });
    log.info({ frames: 3 }, 'started');
    const [line] = dest.lines();
    expect(line).toMatchObject({ level: 30, name: 'ecu-ai', vehicle: 'v1', frames: 3, msg: 'started' });
    expect(line).not.toHaveProperty('pid');
    expect(line).not.toHaveProperty('hostname');
    expect(typeof line?.time).toBe('number');
  });

  it('drops lines below the level', () => {
    const dest = sink();
    const log = createLogger({ destination: dest, level: 'warn' });
    log.info('hidden');
    log.debug('hidden');
    log.warn('shown');
    expect(dest.lines().map((l) => l.msg)).toEqual(['shown']);
  });

  it('stamps time from a virtual clock, so replay logs repeat exactly', () => {
    const dest = sink();
    const clock = new VirtualClock(12.5);
    const log = createLogger({ destination: dest, clock });
    log.info('a');
    expect(dest.lines()[0]?.time).toBe(12.5);
  });

  it('gives child loggers their component and domain', () => {
    const dest = sink();
    const root = createLogger({ destination: dest });
    componentLogger(root, 'scheduler', 'adas').warn('late');
    componentLogger(root, 'http').info('up');
    const [a, b] = dest.lines();
    expect(a).toMatchObject({ component: 'scheduler', domain: 'adas', msg: 'late' });
    expect(b).toMatchObject({ component: 'http', msg: 'up' });
    expect(b).not.toHaveProperty('domain');
  });
});
