/**
 * Real sensors from Linux sysfs, where the board has them:
 * - temperature: /sys/class/thermal/thermal_zone* /temp and /sys/class/hwmon/* /temp*_input (m°C)
 * - power: RAPL package counters /sys/class/powercap/intel-rapl:N/energy_uj (µJ, wrapping at
 *   max_energy_range_uj), else hwmon power*_input (µW)
 * - speed: /sys/devices/system/cpu/cpu0/cpufreq scaling_cur_freq / cpuinfo_max_freq
 * The root is injectable so tests use a fake tree. A sensor that cannot be read or parsed is left
 * out of that sample and named in `problems`; a live loop must not die of one bad file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface SysfsSensorSet {
  readonly root: string;
  readonly temperatureFiles: readonly string[];
  readonly raplFiles: readonly { energy: string; range: string | undefined }[];
  readonly hwmonPowerFiles: readonly string[];
  readonly freq: { readonly cur: string; readonly max: string } | undefined;
}

export interface SysfsSample {
  readonly socC: number | undefined;
  readonly powerW: number | undefined;
  readonly speed: number | undefined;
  readonly problems: readonly string[];
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function exists(file: string): boolean {
  try {
    readFileSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the sensors present under `root` (default `/sys`). Never throws: a board without a
 * sensor simply has none listed, and the model stands in for it.
 */
export function discoverSysfs(root = '/sys'): SysfsSensorSet {
  const thermal = path.join(root, 'class', 'thermal');
  const temperatureFiles = list(thermal)
    .filter((d) => /^thermal_zone\d+$/.test(d))
    .map((d) => path.join(thermal, d, 'temp'))
    .filter(exists);
  const hwmon = path.join(root, 'class', 'hwmon');
  const hwmonPowerFiles: string[] = [];
  for (const d of list(hwmon)) {
    for (const f of list(path.join(hwmon, d))) {
      if (/^temp\d+_input$/.test(f)) temperatureFiles.push(path.join(hwmon, d, f));
      if (/^power\d+_input$/.test(f)) hwmonPowerFiles.push(path.join(hwmon, d, f));
    }
  }
  const powercap = path.join(root, 'class', 'powercap');
  // Only top-level packages (intel-rapl:N); their subzones (intel-rapl:N:M) are parts of the same energy.
  const raplFiles = list(powercap)
    .filter((d) => /^intel-rapl:\d+$/.test(d))
    .map((d) => ({ energy: path.join(powercap, d, 'energy_uj'), range: path.join(powercap, d, 'max_energy_range_uj') }))
    .filter((r) => exists(r.energy))
    .map((r) => ({ energy: r.energy, range: exists(r.range) ? r.range : undefined }));
  const cpufreq = path.join(root, 'devices', 'system', 'cpu', 'cpu0', 'cpufreq');
  const cur = path.join(cpufreq, 'scaling_cur_freq');
  const max = path.join(cpufreq, 'cpuinfo_max_freq');
  return { root, temperatureFiles, raplFiles, hwmonPowerFiles, freq: exists(cur) && exists(max) ? { cur, max } : undefined };
}

/** Reads a sysfs integer file; returns undefined and notes the problem when it is not one. */
function readInt(file: string, problems: string[]): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    problems.push(`${file}: unreadable (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  if (!/^-?\d+$/.test(text)) {
    problems.push(`${file}: not an integer: ${JSON.stringify(text.slice(0, 32))}`);
    return undefined;
  }
  return Number(text);
}

/** Samples a discovered sensor set; RAPL power needs two samples (energy difference over time). */
export class SysfsSensors {
  readonly set: SysfsSensorSet;
  #lastEnergy: { t: number; uj: number[] } | undefined;

  constructor(set: SysfsSensorSet) {
    this.set = set;
  }

  get hasTemperature(): boolean {
    return this.set.temperatureFiles.length > 0;
  }

  get hasPower(): boolean {
    return this.set.raplFiles.length > 0 || this.set.hwmonPowerFiles.length > 0;
  }

  /**
   * Reads every sensor once. `t` (clock seconds) dates the RAPL energy counters.
   * The SoC temperature is the hottest zone: throttling is decided by the hottest part.
   */
  sample(t: number): SysfsSample {
    const problems: string[] = [];
    let socC: number | undefined;
    for (const f of this.set.temperatureFiles) {
      const milli = readInt(f, problems);
      if (milli !== undefined) socC = Math.max(socC ?? -Infinity, milli / 1000);
    }
    let powerW: number | undefined;
    if (this.set.raplFiles.length > 0) powerW = this.#raplPower(t, problems);
    else if (this.set.hwmonPowerFiles.length > 0) {
      for (const f of this.set.hwmonPowerFiles) {
        const micro = readInt(f, problems);
        if (micro !== undefined) powerW = (powerW ?? 0) + micro / 1e6;
      }
    }
    let speed: number | undefined;
    if (this.set.freq) {
      const cur = readInt(this.set.freq.cur, problems);
      const max = readInt(this.set.freq.max, problems);
      if (cur !== undefined && max !== undefined && max > 0) speed = Math.min(1, Math.max(0.01, cur / max));
    }
    return { socC, powerW, speed, problems };
  }

  #raplPower(t: number, problems: string[]): number | undefined {
    const now: number[] = [];
    for (const r of this.set.raplFiles) {
      const uj = readInt(r.energy, problems);
      if (uj === undefined) {
        this.#lastEnergy = undefined;
        return undefined;
      }
      now.push(uj);
    }
    const last = this.#lastEnergy;
    this.#lastEnergy = { t, uj: now };
    if (!last || !(t > last.t)) return undefined;
    let joules = 0;
    for (let i = 0; i < now.length; i++) {
      let d = now[i]! - last.uj[i]!;
      if (d < 0) {
        // The counter wrapped at max_energy_range_uj.
        const range = this.set.raplFiles[i]!.range;
        const max = range !== undefined ? readInt(range, problems) : undefined;
        if (max === undefined) return undefined;
        d += max + 1;
      }
      joules += d / 1e6;
    }
    return joules / (t - last.t);
  }
}
