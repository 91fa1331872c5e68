import { describe, expect, it } from 'vitest';
import { component, Lifecycle, LifecycleClosedError, type Component } from '../../../runtime/compose/lifecycle.js';

/** A component that records its start and close in `log`, failing where told. */
function part(name: string, log: string[], fail: { start?: boolean; close?: boolean } = {}): Component<string> {
  return component(
    name,
    async () => {
      await Promise.resolve();
      if (fail.start) throw new Error(`${name} refused`);
      log.push(`start ${name}`);
      return name;
    },
    async () => {
      await Promise.resolve();
      log.push(`close ${name}`);
      if (fail.close) throw new Error(`${name} stuck`);
    },
  );
}

describe('Lifecycle', () => {
  it('starts in order, returns what each start gave, and closes in reverse order', async () => {
    const log: string[] = [];
    const life = new Lifecycle();
    expect(await life.start(part('http', log))).toBe('http');
    await life.start(part('buses', log));
    await life.start(part('inference', log));
    expect(life.started).toEqual(['http', 'buses', 'inference']);
    await life.close();
    expect(log).toEqual(['start http', 'start buses', 'start inference', 'close inference', 'close buses', 'close http']);
    expect(life.started).toEqual([]);
  });

  it('a failed start leaves the failed part unclosed and closes, on close, only what had started', async () => {
    const log: string[] = [];
    const life = new Lifecycle();
    await life.start(part('http', log));
    await life.start(part('buses', log));
    await expect(life.start(part('inference', log, { start: true }))).rejects.toThrow('inference refused');
    await life.close();
    expect(log).toEqual(['start http', 'start buses', 'close buses', 'close http']);
  });

  it('a close that throws is reported and the others still close', async () => {
    const log: string[] = [];
    const errors: string[] = [];
    const life = new Lifecycle({ onCloseError: (name, err) => errors.push(`${name}: ${(err as Error).message}`) });
    await life.start(part('http', log));
    await life.start(part('cloud link', log, { close: true }));
    await life.start(part('engine', log));
    await life.close();
    expect(log.slice(3)).toEqual(['close engine', 'close cloud link', 'close http']);
    expect(errors).toEqual(['cloud link: cloud link stuck']);
  });

  it('close is idempotent and nothing starts once it began', async () => {
    const log: string[] = [];
    const life = new Lifecycle();
    await life.start(part('http', log));
    const first = life.close();
    const second = life.close();
    expect(second).toBe(first);
    await first;
    await expect(life.start(part('late', log))).rejects.toBeInstanceOf(LifecycleClosedError);
    expect(log).toEqual(['start http', 'close http']);
  });

  it('a part that finishes starting after close began is closed at once', async () => {
    const log: string[] = [];
    const life = new Lifecycle();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = component('slow', async () => {
      await gate;
      log.push('start slow');
    }, () => {
      log.push('close slow');
    });
    const starting = life.start(slow);
    await life.close();
    release();
    await expect(starting).rejects.toBeInstanceOf(LifecycleClosedError);
    expect(log).toEqual(['start slow', 'close slow']);
  });
});
