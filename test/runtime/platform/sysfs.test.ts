import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverSysfs, SysfsSensors } from '../../../runtime/platform/sysfs.js';
import { createPlatform } from '../../../runtime/platform/platform.js';

let root: string;

function put(rel: string, content: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-sysfs-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('sysfs sensors', () => {
  it('reads thermal zones and hwmon temperatures in millidegrees and reports the hottest', () => {
    put('class/thermal/thermal_zone0/temp', '45000\n');
    put('class/thermal/thermal_zone1/temp', '52500\n');
    put('class/thermal/cooling_device0/cur_state', '0\n');
    put('class/hwmon/hwmon0/temp1_input', '48125\n');
    const s = new SysfsSensors(discoverSysfs(root));
    expect(s.set.temperatureFiles).toHaveLength(3);
    const r = s.sample(0);
    expect(r.socC).toBe(52.5);
    expect(r.powerW).toBeUndefined();
    expect(r.problems).toEqual([]);
  });

  it('derives power from RAPL package energy, across a counter wrap, ignoring subzones', () => {
    put('class/powercap/intel-rapl:0/energy_uj', '999000000');
    put('class/powercap/intel-rapl:0/max_energy_range_uj', '999999999');
    put('class/powercap/intel-rapl:0:0/energy_uj', '5');
    const s = new SysfsSensors(discoverSysfs(root));
    expect(s.set.raplFiles).toHaveLength(1);
    expect(s.sample(10).powerW).toBeUndefined();
    // 1 000 000 µJ to the wrap (999 999 999 + 1), then 4 000 000 more: 5 J over 2 s.
    put('class/powercap/intel-rapl:0/energy_uj', '4000000');
    expect(s.sample(12).powerW).toBeCloseTo(2.5, 9);
  });

  it('sums hwmon power inputs in microwatts and reads the core speed from cpufreq', () => {
    put('class/hwmon/hwmon1/power1_input', '3500000');
    put('class/hwmon/hwmon2/power1_input', '1250000');
    put('devices/system/cpu/cpu0/cpufreq/scaling_cur_freq', '1200000');
    put('devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq', '2400000');
    const r = new SysfsSensors(discoverSysfs(root)).sample(0);
    expect(r.powerW).toBeCloseTo(4.75, 9);
    expect(r.speed).toBe(0.5);
  });

  it('names a malformed sensor file and leaves its figure out', () => {
    put('class/thermal/thermal_zone0/temp', 'garbage');
    put('class/thermal/thermal_zone1/temp', '40000');
    const r = new SysfsSensors(discoverSysfs(root)).sample(0);
    expect(r.socC).toBe(40);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toContain(path.join(root, 'class/thermal/thermal_zone0/temp'));
    expect(r.problems[0]).toContain('not an integer');
  });

  it('finds nothing in an empty or missing tree', () => {
    const set = discoverSysfs(path.join(root, 'absent'));
    expect(set.temperatureFiles).toEqual([]);
    expect(set.raplFiles).toEqual([]);
    expect(set.freq).toBeUndefined();
  });
});

describe('createPlatform', () => {
  it('uses real temperatures where present and the model for the missing power', () => {
    put('class/thermal/thermal_zone0/temp', '61000');
    const p = createPlatform({ profile: 'rpi4', sensors: 'auto', ambientC: 25, sysfsRoot: root });
    expect(p.usesSysfs).toBe(true);
    const r = p.sample(1, 0.5);
    expect(r.socC).toBe(61);
    expect(r.sources).toEqual({ socC: 'sysfs', powerW: 'model', speed: 'model' });
    expect(r.powerW).toBeGreaterThan(p.profile.idleW);
  });

  it('never touches sysfs in model mode', () => {
    put('class/thermal/thermal_zone0/temp', '99000');
    const p = createPlatform({ profile: 'rpi5', sensors: 'model', ambientC: 25, sysfsRoot: root });
    expect(p.usesSysfs).toBe(false);
    const r = p.sample(1, 0);
    expect(r.socC).toBeLessThan(30);
    expect(r.sources.socC).toBe('model');
  });
});
