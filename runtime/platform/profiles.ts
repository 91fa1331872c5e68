/**
 * Platform profiles: the constants of the power and thermal models for the boards we run on.
 * Throttle points are documented; power and thermal constants are approximate, from published
 * measurements, and tuned so the lumped model behaves like the board (see each entry).
 */

export type ProfileName = 'rpi4' | 'rpi5' | 'generic-soc';

export interface PlatformProfile {
  readonly name: ProfileName;
  readonly cores: number;
  /** Board power with the cores idle, W. */
  readonly idleW: number;
  /** Extra power per fully busy core at nominal frequency, W. */
  readonly coreActiveW: number;
  /** Thermal resistance SoC to ambient, K/W (lumped). */
  readonly rThKPerW: number;
  /** Heat capacity of the lumped SoC + board + heatsink, J/K. */
  readonly cThJPerK: number;
  /** Firmware starts throttling the cores here, °C. */
  readonly throttleStartC: number;
  /** Hard limit: cores (and GPU) throttled to `minSpeed` at and above it, °C. */
  readonly throttleHardC: number;
  /** Relative core frequency when fully throttled. */
  readonly minSpeed: number;
}

export const PROFILES: Readonly<Record<ProfileName, PlatformProfile>> = {
  // Raspberry Pi 4 B (BCM2711, 4 x Cortex-A72 @ 1.5-1.8 GHz).
  // Throttling: Raspberry Pi documentation, "Frequency management and thermal control": between
  // 80 °C and 85 °C the ARM cores are throttled back; above 85 °C the ARM cores and GPU are.
  // Power: approximate, from published community measurements of a Pi 4 B at 5 V: about 2.7 W idle
  // and about 6.4 W with all four cores under stress (so ~0.9 W per busy core).
  // Thermal: approximate; R and C chosen so a bare board under full load passes 80 °C after a few
  // minutes from 25 °C ambient (time constant ~150 s), as such stress tests report.
  rpi4: {
    name: 'rpi4',
    cores: 4,
    idleW: 2.7,
    coreActiveW: 0.93,
    rThKPerW: 11,
    cThJPerK: 13.6,
    throttleStartC: 80,
    throttleHardC: 85,
    minSpeed: 0.4,
  },
  // Raspberry Pi 5 (BCM2712, 4 x Cortex-A76 @ 2.4 GHz). Same documented throttle points (the
  // 85 °C limit applies to all models). Power: approximate, about 2.7 W idle and about 7 W under a
  // four-core stress load in published measurements. Thermal: approximate, a passive case.
  rpi5: {
    name: 'rpi5',
    cores: 4,
    idleW: 2.7,
    coreActiveW: 1.08,
    rThKPerW: 9,
    cThJPerK: 13.3,
    throttleStartC: 80,
    throttleHardC: 85,
    minSpeed: 0.625,
  },
  // An illustrative automotive-grade SoC (8 cores, AEC-Q100 grade 2 part rated for 105 °C
  // ambient, throttling before a 125 °C junction limit). Every constant here is an assumption to be
  // replaced by the vendor's data sheet figures for a real target.
  'generic-soc': {
    name: 'generic-soc',
    cores: 8,
    idleW: 4,
    coreActiveW: 1.25,
    rThKPerW: 4,
    cThJPerK: 75,
    throttleStartC: 105,
    throttleHardC: 115,
    minSpeed: 0.5,
  },
};

/**
 * Relative core speed the firmware allows at temperature `socC`: 1 below the throttle start,
 * falling linearly to `minSpeed` at the hard limit (the Pi firmware throttles progressively).
 */
export function throttleSpeed(profile: PlatformProfile, socC: number): number {
  if (socC <= profile.throttleStartC) return 1;
  if (socC >= profile.throttleHardC) return profile.minSpeed;
  const f = (socC - profile.throttleStartC) / (profile.throttleHardC - profile.throttleStartC);
  return 1 - f * (1 - profile.minSpeed);
}
