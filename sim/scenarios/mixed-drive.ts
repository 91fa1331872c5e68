import type { Rng } from '../random.js';
import type { Scenario, ScenarioPlan } from './types.js';

/**
 * A drive through several situations: 4 to 7 segments drawn from the other scenarios (each at
 * least 60 s where the duration allows), applied one after another to the same car, so the
 * battery, the cabin and the driver's fatigue carry over from one to the next.
 */
export function makeMixedDrive(parts: readonly Scenario[]): Scenario {
  return {
    name: 'mixed-drive',
    description: `A sequence of 4-7 segments drawn from the other scenarios (${parts.map((p) => p.name).join(', ')}); state carries over between segments.`,
    plan(rng: Rng, durationS: number): ScenarioPlan {
      const count = Math.max(1, Math.min(rng.int(4, 7), Math.floor(durationS / 60)));
      const weights = Array.from({ length: count }, () => rng.uniform(0.6, 1.4));
      const total = weights.reduce((a, b) => a + b, 0);
      const segments: { at: number; plan: ScenarioPlan; name: string }[] = [];
      let at = 0;
      for (let i = 0; i < count; i++) {
        const scenario = rng.pick(parts);
        const length = (durationS * (weights[i] as number)) / total;
        segments.push({ at, plan: scenario.plan(rng.fork(`segment${i}`), length), name: scenario.name });
        at += length;
      }
      const first = segments[0] as (typeof segments)[number];
      let current = -1;
      return {
        init: first.plan.init,
        params: { segments: segments.map((s) => `${s.name}@${Math.round(s.at)}`).join(' ') },
        start() {
          current = -1;
        },
        update(t, world) {
          while (current + 1 < segments.length && t >= (segments[current + 1] as (typeof segments)[number]).at) {
            current++;
            (segments[current] as (typeof segments)[number]).plan.start(world);
          }
          const seg = segments[current];
          if (seg) seg.plan.update(t - seg.at, world);
        },
      };
    },
  };
}
