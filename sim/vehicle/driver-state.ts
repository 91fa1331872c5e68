/**
 * The driver's alertness and what the driver camera sees of it.
 *
 * A latent fatigue f in [0, 1] drifts as the scenario asks (a slow climb on a night drive, a
 * reset after a break) with a little noise. The ground-truth drowsiness level comes from f with
 * hysteresis (0 awake, 1 drowsy, 2 very drowsy). Fatigue shows in the camera signals: lower eye
 * opening, longer and more frequent blinks, microsleeps with head nods at level 2, and in
 * attention lapses during which the driver stops correcting the steering.
 */
import { clamp } from '../numeric.js';
import type { Rng } from '../random.js';

export type DrowsinessLevel = 0 | 1 | 2;

const UP: readonly number[] = [0.4, 0.7];
const DOWN: readonly number[] = [0.33, 0.63];

type EyePhase = 'open' | 'blink' | 'microsleep';

export interface CameraSample {
  readonly faceDetected: boolean;
  readonly eyeOpenLeftPct: number;
  readonly eyeOpenRightPct: number;
  readonly headPitchDeg: number;
  readonly headYawDeg: number;
  readonly gazeOnRoad: boolean;
}

export class DriverState {
  fatigue: number;
  /** Fatigue change per second the scenario asks for. */
  driftPerS = 0;
  level: DrowsinessLevel;
  #rng: Rng;
  #phase: EyePhase = 'open';
  #phaseLeft = 0;
  #lapseLeft = 0;
  #glanceLeft = 0;
  #baseOpen: number;
  #headYaw = 0;

  constructor(rng: Rng, fatigue: number) {
    this.#rng = rng;
    this.fatigue = clamp01(fatigue);
    this.level = this.fatigue >= 0.7 ? 2 : this.fatigue >= 0.4 ? 1 : 0;
    this.#baseOpen = rng.uniform(82, 95);
  }

  /** True while the driver is not correcting the steering (lapse or microsleep). */
  get inLapse(): boolean {
    return this.#lapseLeft > 0 || this.#phase === 'microsleep';
  }

  /**
   * A jolt (rumble strip, lane departure): ends a lapse or microsleep at once and wakes the driver
   * a little, as the startle does.
   */
  startle(): void {
    if (!this.inLapse) return;
    this.#lapseLeft = 0;
    if (this.#phase === 'microsleep') {
      this.#phase = 'open';
      this.#phaseLeft = 0;
    }
    this.fatigue = clamp01(this.fatigue - 0.03);
  }

  step(dt: number): void {
    const rng = this.#rng;
    this.fatigue = clamp01(this.fatigue + this.driftPerS * dt + 0.004 * Math.sqrt(dt) * rng.gaussian());
    const f = this.fatigue;
    if (this.level < 2 && f >= (UP[this.level] as number)) this.level = (this.level + 1) as DrowsinessLevel;
    else if (this.level > 0 && f < (DOWN[this.level - 1] as number)) this.level = (this.level - 1) as DrowsinessLevel;

    this.#phaseLeft -= dt;
    if (this.#phaseLeft <= 0) {
      if (this.#phase !== 'open') {
        this.#phase = 'open';
        this.#phaseLeft = 0;
      }
      const blinkRate = 0.25 + 0.35 * f;
      const sleepRate = f > 0.6 ? 0.04 * (f - 0.6) * 10 : 0;
      if (rng.chance(sleepRate * dt)) {
        this.#phase = 'microsleep';
        this.#phaseLeft = rng.uniform(0.8, 1.5 + 2 * f);
      } else if (rng.chance(blinkRate * dt)) {
        this.#phase = 'blink';
        this.#phaseLeft = Math.max(0.06, rng.gaussian(0.12 + 0.35 * f * f, 0.03 + 0.05 * f));
      }
    }
    if (this.#lapseLeft > 0) this.#lapseLeft -= dt;
    else if (rng.chance((0.01 + 0.25 * f * f) * dt)) this.#lapseLeft = rng.uniform(0.4, 0.8 + 3 * f);
    if (this.#glanceLeft > 0) this.#glanceLeft -= dt;
    else if (rng.chance(0.05 * dt)) {
      this.#glanceLeft = rng.uniform(0.4, 1.5);
      this.#headYaw = rng.pick([-1, 1]) * rng.uniform(15, 40);
    }
  }

  /** What the camera reports now (with its own measurement noise). */
  sample(): CameraSample {
    const rng = this.#rng;
    const f = this.fatigue;
    const faceDetected = !rng.chance(0.01 + (this.#glanceLeft > 0 ? 0.2 : 0));
    let open = this.#baseOpen - 40 * f * f - 10 * f;
    if (this.#phase === 'blink') open = rng.uniform(0, 15);
    if (this.#phase === 'microsleep') open = rng.uniform(0, 8);
    const left = clamp(open + rng.gaussian(0, 3), 0, 100);
    const right = clamp(open + rng.gaussian(0, 3), 0, 100);
    const nod = this.#phase === 'microsleep' ? rng.uniform(12, 25) : 0;
    const headPitchDeg = clamp(2 + 6 * f + nod + rng.gaussian(0, 1.5), -60, 60);
    const yaw = this.#glanceLeft > 0 ? this.#headYaw : 0;
    const headYawDeg = clamp(yaw + rng.gaussian(0, 2), -60, 60);
    return {
      faceDetected,
      eyeOpenLeftPct: faceDetected ? left : 0,
      eyeOpenRightPct: faceDetected ? right : 0,
      headPitchDeg: faceDetected ? headPitchDeg : 0,
      headYawDeg: faceDetected ? headYawDeg : 0,
      gazeOnRoad: faceDetected && this.#glanceLeft <= 0 && this.#phase === 'open',
    };
  }
}

function clamp01(x: number): number {
  return clamp(x, 0, 1);
}
