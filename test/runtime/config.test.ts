import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../runtime/config.js';
import { ConfigInvalidError } from '../../runtime/errors.js';

describe('config', () => {
  it('fills the embedded defaults from an empty object', () => {
    const c = parseConfig({});
    expect(c.http).toEqual({ host: '127.0.0.1', port: 9780 });
    expect(c.domains.adas.enabled).toBe(true);
    expect(c.transports).toEqual([{ kind: 'virtual', channel: 'can0' }]);
    expect(Object.isFrozen(c.domains.adas)).toBe(true);
  });

  it('names the path of every invalid field at once', () => {
    try {
      parseConfig({ domains: { adas: { deadline_ms: -5 }, body: { variant: 'gpu' } }, http: { port: 70000 } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigInvalidError);
      const paths = (err as ConfigInvalidError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['domains.adas.deadline_ms', 'domains.body.variant', 'http.port']));
      expect((err as Error).message).toContain('domains.adas.deadline_ms');
    }
  });

  it('polls a worker pipe for 100 µs by default, and refuses a window past 1 ms by its path', () => {
    expect(parseConfig({}).inference.spin_us).toBe(100);
    expect(parseConfig({ inference: { spin_us: 0 } }).inference.spin_us).toBe(0);
    expect(() => parseConfig({ inference: { spin_us: 5000 } })).toThrow(/inference\.spin_us/);
  });

  it('rejects unknown keys rather than ignoring a typo', () => {
    expect(() => parseConfig({ domains: { adas: { dedline_ms: 5 } } })).toThrow(/domains\.adas/);
  });

  it('rejects a recovery temperature that is not below the degradation temperature', () => {
    expect(() => parseConfig({ scheduler: { degrade_c: 70, recover_c: 75 } })).toThrow(/scheduler\.recover_c/);
  });

  it('loads YAML and reports a syntax error with file, line and column', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ecu-ai-config-'));
    const good = path.join(dir, 'good.yaml');
    writeFileSync(good, 'vehicle_id: car-7\ndomains:\n  body:\n    enabled: false\n');
    const c = await loadConfigFile(good);
    expect(c.vehicle_id).toBe('car-7');
    expect(c.domains.body.enabled).toBe(false);
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'vehicle_id: car-7\ndomains: [unclosed\n');
    await expect(loadConfigFile(bad)).rejects.toThrow(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+`));
  });
});

describe('background load schedule', () => {
  it('integrates busy core-seconds over the steps', async () => {
    const { backgroundBusy } = await import('../../runtime/engine/engine.js');
    const busy = backgroundBusy([{ from_s: 10, cores: 2 }, { from_s: 0, cores: 0.5 }, { from_s: 20, cores: 0 }], 100);
    expect(busy(100)).toBe(0);
    expect(busy(105)).toBeCloseTo(2.5, 12);
    expect(busy(115)).toBeCloseTo(5 + 10, 12);
    expect(busy(150)).toBeCloseTo(5 + 20, 12);
  });
});

describe('config errors a user can act on', () => {
  it('answers a misspelt key with the nearest known one and the file:line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ecu-ai-config-'));
    const file = path.join(dir, 'c.yaml');
    writeFileSync(file, 'vehicle_id: car-1\ndomains:\n  adas:\n    deadline_msx: 20\n  chasis:\n    enabled: false\nscheduler:\n  cores: -1\n');
    const err = await loadConfigFile(file).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain(`${file}:4: domains.adas.deadline_msx: unknown key; did you mean "deadline_ms"?`);
    expect(err?.message).toContain(`${file}:5: domains.chasis: unknown key; did you mean "chassis"?`);
    expect(err?.message).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:8: scheduler\\.cores: `));
  });

  it('lists the known keys when nothing is near', () => {
    expect(() => parseConfig({ scheduler: { zzzzzzzzzzzz: 1 } })).toThrow(/scheduler\.zzzzzzzzzzzz: unknown key; known here: .*cores/);
  });
});
