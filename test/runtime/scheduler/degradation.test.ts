import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DegradationLadder, type LadderEvent } from '../../../runtime/scheduler/degradation.js';
import { fiveServices } from './fixtures.js';

const SAFETY = ['adas', 'chassis', 'powertrain'];

function ladder(cloud = true, extra: Partial<ConstructorParameters<typeof DegradationLadder>[0]> = {}): DegradationLadder {
  return new DegradationLadder({ services: fiveServices(), cores: 2, degradeC: 80, recoverC: 75, minDwellS: 5, cloudAvailable: () => cloud, ...extra });
}

/** Holds the SoC at `socC` for `seconds`, updating once a second from `t0`; returns the end time. */
function hold(l: DegradationLadder, t0: number, seconds: number, socC: number): number {
  for (let t = t0; t < t0 + seconds; t++) l.update(t, { socC });
  return t0 + seconds;
}

describe('DegradationLadder', () => {
  it('walks comfort services down first, breadth-first, then safety, never sending safety to the cloud or shedding it', () => {
    const l = ladder(true);
    hold(l, 0, 200, 90);
    const steps = l.events.map((e) => `${e.domain}:${e.to}`);
    expect(steps).toEqual([
      // cockpit's int8 is cheaper (20 < 30 ms); body's is not (60 > 50 ms), so body skips it.
      'cockpit:int8',
      'body:half-rate',
      'cockpit:half-rate',
      'body:cloud',
      'cockpit:cloud',
      'body:shed',
      'cockpit:shed',
      // Safety: int8 only where it is cheaper (not adas), then the rule-based fallback.
      'powertrain:int8',
      'chassis:int8',
      'powertrain:fallback',
      'adas:fallback',
      'chassis:fallback',
    ]);
    expect(l.events.every((e) => e.why === 'soc 90.00 C > 80 C')).toBe(true);
    expect(l.events.filter((e) => e.kind === 'shed').map((e) => e.domain)).toEqual(['body', 'cockpit']);
    for (const d of SAFETY) expect(l.modeOf(d)).toEqual({ variant: 'fallback', rateDivisor: 1, shed: false });
    // One step per dwell.
    const times = l.events.map((e) => e.t);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(5);
  });

  it('skips the cloud rung when the cloud is unavailable and sheds a service parked there when it goes away', () => {
    const offline = ladder(false);
    hold(offline, 0, 16, 90);
    expect(offline.events.map((e) => `${e.domain}:${e.to}`)).toEqual(['cockpit:int8', 'body:half-rate', 'cockpit:half-rate', 'body:shed']);
    expect(offline.events[3]?.why).toBe('soc 90.00 C > 80 C; cloud unavailable');

    let up = true;
    const l = ladder(true, { cloudAvailable: () => up });
    hold(l, 0, 16, 90);
    expect(l.rungOf('body')).toBe('cloud');
    up = false;
    l.update(16, { socC: 78 });
    expect(l.events.at(-1)).toEqual({ t: 16, kind: 'shed', domain: 'body', to: 'shed', why: 'cloud unavailable' });
  });

  it('recovers in the reverse order of degradation once below the recover threshold', () => {
    const l = ladder(true);
    const t = hold(l, 0, 36, 90);
    const down = l.events.map((e) => `${e.domain}:${e.to}`);
    const n = down.length;
    hold(l, t, 200, 60);
    const up = l.events.slice(n);
    expect(up.every((e) => e.kind === 'recover' && e.why === 'soc 60.00 C < 75 C')).toBe(true);
    // Each recovery undoes the latest remaining degradation: the rung it lands on is where that service was before.
    expect(up.map((e) => e.domain)).toEqual(down.slice().reverse().map((s) => s.split(':')[0]));
    expect(up.map((e) => e.to)).toEqual(expectedRecoveryRungs(down));
    for (const d of ['adas', 'chassis', 'powertrain', 'cockpit', 'body']) expect(l.modeOf(d).rateDivisor).toBe(1);
    expect(l.rungOf('cockpit')).toBe('fp32');
  });

  it('holds steady inside the hysteresis band instead of oscillating', () => {
    const l = ladder(true);
    hold(l, 0, 1, 85);
    const n = l.events.length;
    // Temperatures wandering between the thresholds never trigger a step either way.
    for (let t = 1; t < 300; t++) l.update(t, { socC: 77.5 + 2.4 * Math.sin(t / 3) });
    expect(l.events.length).toBe(n);
  });

  it('steps safety services at once under deadline pressure, ignoring the dwell', () => {
    const l = ladder(true);
    // At 30 % speed the costs grow 3.3x: 26.7/20 + 6.7/10 + 16.7/50 = 2.33 > 2 - 1.33.
    const events = l.update(0, { socC: 70, speed: 0.3 });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => SAFETY.includes(e.domain) && e.kind === 'degrade')).toBe(true);
    expect(events[0]?.domain).toBe('adas');
    expect(events[0]?.to).toBe('fallback');
    expect(events[0]?.why).toMatch(/^safety density \d+\.\d\d > bound \d+\.\d\d on 2 core\(s\) at speed 0\.30$/);
    // Recovery waits until the load would fit again.
    const n = l.events.length;
    for (let t = 10; t < 30; t++) l.update(t, { socC: 60, speed: 0.3 });
    expect(l.events.slice(n).some((e) => SAFETY.includes(e.domain))).toBe(false);
    // Back at full speed the load fits again and the safety services recover.
    for (let t = 30; t < 60; t++) l.update(t, { socC: 60, speed: 1 });
    for (const d of SAFETY) expect(l.rungOf(d)).toBe('fp32');
  });

  it('relieves an overloaded shared process by stepping down one of its own members', () => {
    // adas and chassis share a process: 0.4 + 0.2, and chassis may wait 8 ms of its 10 ms window
    // for an ADAS call: 1.40 > 1, although two cores would carry all three safety services.
    const services = fiveServices().map((s) => (s.domain === 'adas' || s.domain === 'chassis' ? { ...s, worker: 'safety' } : s));
    const l = new DegradationLadder({ services, cores: 2, minDwellS: 0 });
    const events = l.update(0, { socC: 60, speed: 1 });
    expect(events).toEqual([{ t: 0, kind: 'degrade', domain: 'adas', to: 'fallback', why: 'shared process safety load 1.40 > 1 at speed 1.00' }]);
    expect(l.rungOf('powertrain')).toBe('fp32');
  });

  it('degrades on a power budget with its own hysteresis', () => {
    const l = ladder(true, { powerBudgetW: 6, minDwellS: 0 });
    l.update(0, { powerW: 6.5 });
    expect(l.events[0]?.why).toBe('power 6.50 W > budget 6 W');
    l.update(1, { powerW: 5.8 });
    expect(l.events.length).toBe(1);
    l.update(2, { powerW: 5.2 });
    expect(l.events.at(-1)?.kind).toBe('recover');
  });

  it('offers int8 to a comfort service when its profiled energy is lower even if it is slower', () => {
    const services = fiveServices().map((s) => (s.domain === 'body' ? { ...s, energyMj: { fp32: 200, int8: 120 } } : s));
    const l = new DegradationLadder({ services, cores: 2, minDwellS: 0 });
    l.update(0, { socC: 90 });
    expect(l.events[0]).toMatchObject({ domain: 'body', to: 'int8' });
  });

  it('never sheds or clouds a safety service and never steps faster than the dwell, for any temperature trace', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 20, max: 110, noNaN: true }), { minLength: 1, maxLength: 200 }), fc.boolean(), (trace, cloud) => {
        const events: LadderEvent[] = [];
        const l = ladder(cloud, { onEvent: (e) => events.push(e) });
        trace.forEach((socC, t) => {
          l.update(t, { socC });
          for (const d of SAFETY) expect(l.modeOf(d).shed).toBe(false);
        });
        for (const e of events) {
          if (SAFETY.includes(e.domain)) {
            expect(e.kind).not.toBe('shed');
            expect(['cloud', 'shed', 'half-rate']).not.toContain(e.to);
          }
          // A degrade needs heat above the upper threshold, a recovery cool below the lower one.
          const socC = trace[e.t]!;
          if (e.kind === 'recover') expect(socC).toBeLessThan(75);
          else expect(socC).toBeGreaterThan(80);
        }
        for (let i = 1; i < events.length; i++) expect(events[i]!.t - events[i - 1]!.t).toBeGreaterThanOrEqual(5);
        expect(events).toEqual(l.events);
      }),
      { numRuns: 300 },
    );
  });
});

/** For each degradation (newest first), the rung the service was on just before it. */
function expectedRecoveryRungs(down: readonly string[]): string[] {
  const rung = new Map<string, string>();
  const before: string[] = [];
  for (const s of down) {
    const [d, to] = s.split(':') as [string, string];
    before.push(rung.get(d) ?? 'fp32');
    rung.set(d, to);
  }
  return before.reverse();
}

describe('DegradationLadder with the cloud as a primary rung', () => {
  it('does not recover below the cloud when the cloud is down (it has nothing milder to go back to)', () => {
    const services = fiveServices().map((s) => (s.domain === 'body' ? { ...s, primary: 'cloud' as const } : s));
    let up = true;
    const l = new DegradationLadder({ services, cores: 2, degradeC: 80, recoverC: 75, minDwellS: 5, cloudAvailable: () => up });
    let t = hold(l, 0, 30, 90);
    expect(l.rungOf('body')).not.toBe('cloud');
    up = false;
    expect(() => (t = hold(l, t, 120, 60))).not.toThrow();
    expect(l.rungOf('body')).not.toBe('cloud');
    up = true;
    hold(l, t, 30, 60);
    expect(l.rungOf('body')).toBe('cloud');
  });
});
