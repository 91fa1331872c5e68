/**
 * One platform source for the budget loop: real sensors where the board has them, the model for
 * whatever it lacks, and the model alone in replay (so replays never depend on the machine).
 */
import { PROFILES, type PlatformProfile, type ProfileName } from './profiles.js';
import { SocModel } from './soc-model.js';
import { discoverSysfs, SysfsSensors } from './sysfs.js';

export interface PlatformReading {
  readonly t: number;
  readonly socC: number;
  readonly powerW: number;
  /** Relative core speed (1 = nominal). */
  readonly speed: number;
  /** Where each figure came from. */
  readonly sources: { readonly socC: 'sysfs' | 'model'; readonly powerW: 'sysfs' | 'model'; readonly speed: 'sysfs' | 'model' };
  /** Sensor files that could not be read this time (their figure came from the model). */
  readonly problems: readonly string[];
}

export interface Platform {
  readonly profile: PlatformProfile;
  readonly usesSysfs: boolean;
  /**
   * Samples at `t`, feeding the model the cumulative busy core-seconds (e.g. from
   * `Dispatcher.busyCoreSeconds()`).
   * @throws {RangeError} when time or the busy counter goes backwards
   */
  sample(t: number, busyCoreSeconds: number): PlatformReading;
}

export interface PlatformOptions {
  readonly profile: ProfileName | PlatformProfile;
  /** `auto` reads real sensors where present; `model` never touches sysfs. Replay must use `model`. */
  readonly sensors: 'auto' | 'model';
  readonly ambientC: number;
  readonly startC?: number;
  readonly stepS?: number;
  readonly t0?: number;
  /** sysfs root; default `/sys` (tests point it at a fake tree). */
  readonly sysfsRoot?: string;
}

/**
 * Builds the platform source.
 * @throws {RangeError} for invalid model constants
 */
export function createPlatform(o: PlatformOptions): Platform {
  const profile = typeof o.profile === 'string' ? PROFILES[o.profile] : o.profile;
  const model = new SocModel({
    profile,
    ambientC: o.ambientC,
    ...(o.startC !== undefined ? { startC: o.startC } : {}),
    ...(o.stepS !== undefined ? { stepS: o.stepS } : {}),
    ...(o.t0 !== undefined ? { t0: o.t0 } : {}),
  });
  const sensors = o.sensors === 'auto' ? new SysfsSensors(discoverSysfs(o.sysfsRoot)) : undefined;
  const usesSysfs = sensors !== undefined && (sensors.hasTemperature || sensors.hasPower || sensors.set.freq !== undefined);
  return {
    profile,
    usesSysfs,
    sample(t: number, busyCoreSeconds: number): PlatformReading {
      const m = model.advance(t, busyCoreSeconds);
      if (!usesSysfs || !sensors) {
        return { t, socC: m.socC, powerW: m.powerW, speed: m.speed, sources: { socC: 'model', powerW: 'model', speed: 'model' }, problems: [] };
      }
      const s = sensors.sample(t);
      return {
        t,
        socC: s.socC ?? m.socC,
        powerW: s.powerW ?? m.powerW,
        speed: s.speed ?? m.speed,
        sources: { socC: s.socC !== undefined ? 'sysfs' : 'model', powerW: s.powerW !== undefined ? 'sysfs' : 'model', speed: s.speed !== undefined ? 'sysfs' : 'model' },
        problems: s.problems,
      };
    },
  };
}
