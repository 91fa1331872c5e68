/**
 * Board power from CPU busy time: P = P_idle + Σ busy_fraction_i · P_core_active · s², where s is
 * the relative core speed under DVFS. Dynamic power goes as f·V²; with voltage lowered alongside
 * frequency, s² is an approximate middle ground between the f-only (s) and f·V² ∝ f³ (s³) extremes.
 */
import type { PlatformProfile } from './profiles.js';

/**
 * @param profile - the board
 * @param busyCores - average number of busy cores over the interval (Σ busy fractions)
 * @param speed - relative core speed (1 = nominal)
 * @throws {RangeError} for negative busy time or a speed outside (0, 1]
 */
export function modelPowerW(profile: PlatformProfile, busyCores: number, speed = 1): number {
  if (!(busyCores >= 0)) throw new RangeError(`busy cores must be >= 0, got ${busyCores}`);
  if (!(speed > 0 && speed <= 1)) throw new RangeError(`speed must be in (0, 1], got ${speed}`);
  const busy = Math.min(busyCores, profile.cores);
  return profile.idleW + busy * profile.coreActiveW * speed * speed;
}
