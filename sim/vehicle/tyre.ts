/**
 * Road surfaces and the longitudinal tyre model: Pacejka's magic formula
 * mu(s) = D sin(C atan(B s - E (B s - atan(B s)))), with the commonly used coefficient sets for
 * dry, wet, snow and ice. D is the peak friction coefficient; a scenario draws it from a range
 * around the nominal value so held-out seeds see new roads.
 */

export type SurfaceName = 'dry' | 'wet' | 'snow' | 'ice';

export const SURFACE_NAMES: readonly SurfaceName[] = ['dry', 'wet', 'snow', 'ice'];

export interface MagicFormula {
  readonly b: number;
  readonly c: number;
  /** Peak friction coefficient. */
  readonly d: number;
  readonly e: number;
}

interface SurfaceSpec {
  readonly shape: Omit<MagicFormula, 'd'>;
  /** Range the peak friction is drawn from. */
  readonly muRange: readonly [number, number];
}

export const SURFACES: Readonly<Record<SurfaceName, SurfaceSpec>> = {
  dry: { shape: { b: 10, c: 1.9, e: 0.97 }, muRange: [0.85, 1.0] },
  wet: { shape: { b: 12, c: 2.3, e: 1 }, muRange: [0.5, 0.7] },
  snow: { shape: { b: 5, c: 2, e: 1 }, muRange: [0.25, 0.35] },
  ice: { shape: { b: 4, c: 2, e: 1 }, muRange: [0.07, 0.14] },
};

/** The tyre curve of a surface with peak friction `mu`. */
export function surfaceCurve(surface: SurfaceName, mu: number): MagicFormula {
  return { ...SURFACES[surface].shape, d: mu };
}

/** Friction used at slip ratio `s` (0..1); odd in s so braking is the mirror of driving. */
export function magicFormula(s: number, f: MagicFormula): number {
  const bs = f.b * s;
  return f.d * Math.sin(f.c * Math.atan(bs - f.e * (bs - Math.atan(bs))));
}

const peakCache = new WeakMap<MagicFormula, number>();

/** Slip ratio at which the curve peaks (found numerically once per curve). */
export function peakSlip(f: MagicFormula): number {
  const cached = peakCache.get(f);
  if (cached !== undefined) return cached;
  let best = 0;
  let bestMu = 0;
  for (let s = 0.001; s <= 1; s += 0.001) {
    const m = magicFormula(s, f);
    if (m > bestMu) {
      bestMu = m;
      best = s;
    }
  }
  peakCache.set(f, best);
  return best;
}

/**
 * Slip ratio that transmits friction `muUsed` (signed: positive drives, negative brakes), on the
 * stable side of the curve. Beyond the peak the caller is saturated: the returned slip is the peak's.
 */
export function slipForFriction(muUsed: number, f: MagicFormula): number {
  const sign = muUsed < 0 ? -1 : 1;
  const target = Math.abs(muUsed);
  const sPeak = peakSlip(f);
  if (target >= magicFormula(sPeak, f)) return sign * sPeak;
  let lo = 0;
  let hi = sPeak;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (magicFormula(mid, f) < target) lo = mid;
    else hi = mid;
  }
  return (sign * (lo + hi)) / 2;
}
