import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigInvalidError } from '../../../runtime/errors.js';
import { CatalogMismatchError, loadSignalCatalog, parseSignalCatalog } from '../../../runtime/signals/index.js';

const db = {
  messages: [
    { name: 'ESP_Speed', signals: [{ name: 'VehicleSpeed' }, { name: 'WheelSpeedFL' }] },
    { name: 'Radar_Obj1', signals: [{ name: 'Distance' }] },
  ],
};

describe('parseSignalCatalog', () => {
  it('turns a plain object into entries in declaration order, keeping channel and period', () => {
    const cat = parseSignalCatalog({
      'Vehicle.Speed': { message: 'ESP_Speed', signal: 'VehicleSpeed', channel: 'can0' },
      'Vehicle.EcuAi.Radar.Object1.Distance': { message: 'Radar_Obj1', signal: 'Distance', periodMs: 50 },
    });
    expect(cat.names()).toEqual(['Vehicle.Speed', 'Vehicle.EcuAi.Radar.Object1.Distance']);
    expect(cat.entry('Vehicle.Speed')).toEqual({ name: 'Vehicle.Speed', message: 'ESP_Speed', signal: 'VehicleSpeed', channel: 'can0' });
    expect(cat.entry('Vehicle.EcuAi.Radar.Object1.Distance')?.periodMs).toBe(50);
    expect(cat.entry('Vehicle.EcuAi.Radar.Object1.Distance')?.channel).toBeUndefined();
  });

  it('names the path of every invalid field at once', () => {
    let err: unknown;
    try {
      parseSignalCatalog({ 'Vehicle.Speed': { message: 'ESP Speed', signal: 3 }, 'Vehicle.Yaw': { message: 'A', signal: 'B', extra: 1 } }, 'cat.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigInvalidError);
    const paths = (err as ConfigInvalidError).issues.map((i) => i.path);
    expect(paths).toContain('Vehicle.Speed.message');
    expect(paths).toContain('Vehicle.Speed.signal');
    expect(paths).toContain('Vehicle.Yaw');
    expect((err as Error).message).toMatch(/^cat\.json: invalid config/);
  });

  it('rejects vehicle signal names that are not dotted paths', () => {
    expect(() => parseSignalCatalog({ speed: { message: 'A', signal: 'B' } })).toThrow(ConfigInvalidError);
    expect(() => parseSignalCatalog({ 'Vehicle..Speed': { message: 'A', signal: 'B' } })).toThrow(/speed|Vehicle\.\.Speed/i);
  });

  it('rejects a non-object catalog', () => {
    expect(() => parseSignalCatalog([1, 2])).toThrow(ConfigInvalidError);
    expect(() => parseSignalCatalog(null)).toThrow(ConfigInvalidError);
  });
});

describe('SignalCatalog.validateAgainst', () => {
  it('accepts a catalog whose messages and signals all exist', () => {
    const cat = parseSignalCatalog({ 'Vehicle.Speed': { message: 'ESP_Speed', signal: 'VehicleSpeed' } });
    expect(cat.validateAgainst(db)).toBe(cat);
  });

  it('names the vehicle signal, the message and the signal of every unresolved entry', () => {
    const cat = parseSignalCatalog({
      'Vehicle.Speed': { message: 'ESP_Speed', signal: 'VehicleSpeedX' },
      'Vehicle.Yaw': { message: 'ESP_Yaw', signal: 'YawRate' },
      'Vehicle.Ok': { message: 'Radar_Obj1', signal: 'Distance' },
    });
    let err: unknown;
    try {
      cat.validateAgainst(db, 'body.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CatalogMismatchError);
    expect(err).toBeInstanceOf(ConfigInvalidError);
    const e = err as CatalogMismatchError;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.unresolved).toEqual([
      { vehicleSignal: 'Vehicle.Speed', message: 'ESP_Speed', signal: 'VehicleSpeedX', messageMissing: false },
      { vehicleSignal: 'Vehicle.Yaw', message: 'ESP_Yaw', signal: 'YawRate', messageMissing: true },
    ]);
    expect(e.message).toContain('body.json');
    expect(e.message).toContain('Vehicle.Speed: message "ESP_Speed" has no signal "VehicleSpeedX"');
    expect(e.message).toContain('Vehicle.Yaw: message "ESP_Yaw"');
  });
});

describe('loadSignalCatalog', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'catalog-'));

  it('reads JSON and YAML files', async () => {
    const json = path.join(dir, 'c.json');
    writeFileSync(json, JSON.stringify({ 'Vehicle.Speed': { message: 'ESP_Speed', signal: 'VehicleSpeed' } }));
    const yaml = path.join(dir, 'c.yaml');
    writeFileSync(yaml, 'Vehicle.Speed:\n  message: ESP_Speed\n  signal: VehicleSpeed\n  channel: can1\n');
    expect((await loadSignalCatalog(json)).names()).toEqual(['Vehicle.Speed']);
    expect((await loadSignalCatalog(yaml)).entry('Vehicle.Speed')?.channel).toBe('can1');
  });

  it('names file, line and column of a syntax error', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{\n  "Vehicle.Speed": { "message": "A",, }\n}\n');
    await expect(loadSignalCatalog(bad)).rejects.toThrow(new RegExp(`${bad.replace(/[.\\/]/g, '\\$&')}:2:\\d+`));
  });

  it('names the file of an invalid catalog', async () => {
    const bad = path.join(dir, 'invalid.json');
    writeFileSync(bad, JSON.stringify({ 'Vehicle.Speed': { message: 'A' } }));
    await expect(loadSignalCatalog(bad)).rejects.toThrow(/invalid\.json: invalid config:\n {2}Vehicle\.Speed\.signal/);
  });
});
