import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.js';
import { createPlatform } from '../../../runtime/platform/platform.js';
import { PROFILES, type PlatformProfile } from '../../../runtime/platform/profiles.js';
import { DegradationLadder, type LadderEvent } from '../../../runtime/scheduler/degradation.js';
import { Dispatcher } from '../../../runtime/scheduler/dispatcher.js';
import { attachGovernor } from '../../../runtime/scheduler/governor.js';
import type { Job } from '../../../runtime/scheduler/types.js';
import { fiveServices } from './fixtures.js';

// A fast-heating board so a short virtual run crosses the thresholds: τ = R·C = 2 s.
const hotBoard: PlatformProfile = { ...PROFILES.rpi4, cores: 2, idleW: 2, coreActiveW: 12, rThKPerW: 10, cThJPerK: 0.2 };

interface Outcome {
  events: LadderEvent[];
  summary: string;
  variantsSeen: string[];
}

async function scenario(): Promise<Outcome> {
  const clock = new VirtualClock();
  const platform = createPlatform({ profile: hotBoard, sensors: 'model', ambientC: 25 });
  let cloudUp = true;
  const ladder = new DegradationLadder({ services: fiveServices(), cores: 2, degradeC: 80, recoverC: 70, minDwellS: 1, cloudAvailable: () => cloudUp });
  let scale = (): number => 1;
  const variantsSeen: string[] = [];
  const dispatcher = new Dispatcher({
    clock,
    cores: 2,
    services: fiveServices(),
    modeOf: (d) => ladder.modeOf(d),
    costScale: () => scale(),
    execute: async (job: Job) => {
      variantsSeen.push(`${job.domain}:${job.variant}`);
    },
  });
  const governor = attachGovernor(dispatcher, platform, ladder, 0.25);
  scale = () => governor.costScale();
  // A scripted drive: the cloud drops out for a while in the middle.
  await dispatcher.advanceTo(8);
  cloudUp = false;
  await dispatcher.advanceTo(14);
  cloudUp = true;
  await dispatcher.advanceTo(30);
  return { events: [...ladder.events], summary: JSON.stringify(dispatcher.summary()), variantsSeen };
}

describe('budget loop (dispatcher + platform model + ladder)', () => {
  it('gives identical events, counts and variant choices on two runs of the same scenario', async () => {
    const a = await scenario();
    const b = await scenario();
    expect(b.events).toEqual(a.events);
    expect(b.summary).toBe(a.summary);
    expect(b.variantsSeen).toEqual(a.variantsSeen);
    // The scenario really exercises the ladder: the board heats past 80 °C and degrades.
    expect(a.events.some((e) => e.kind === 'degrade' && e.why.startsWith('soc'))).toBe(true);
    expect(a.variantsSeen.some((v) => v === 'cockpit:int8')).toBe(true);
  });

  it('keeps the safety services on time while the comfort services absorb the degradation', async () => {
    const { events, summary } = await scenario();
    const s = JSON.parse(summary) as Record<string, { deadline_misses: number; dropped: number; inferences: number }>;
    for (const d of ['adas', 'chassis', 'powertrain']) {
      expect(s[d]!.deadline_misses).toBe(0);
      expect(s[d]!.dropped).toBe(0);
      expect(s[d]!.inferences).toBeGreaterThan(0);
    }
    for (const e of events) if (['adas', 'chassis', 'powertrain'].includes(e.domain)) expect(['cloud', 'shed']).not.toContain(e.to);
  });
});
