import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { admit, checkAdmission, safetyDensity } from '../../../runtime/scheduler/admission.js';
import { AdmissionError, ConfigInvalidError } from '../../../runtime/errors.js';
import type { ServiceSpec } from '../../../runtime/scheduler/types.js';
import { serviceSpec } from '../../../runtime/scheduler/domain-timing.js';
import { DOMAIN_LIST, DOMAINS } from '../../../domains/index.js';
import { fiveServices } from './fixtures.js';

function overloaded(): ServiceSpec[] {
  return fiveServices().map((s) => (s.domain === 'adas' ? { ...s, costMs: { fp32: 25, int8: 12, fallback: 0.2 } } : s));
}

describe('admission', () => {
  it('admits the five services on two cores and reports the comfort services as best-effort', () => {
    const services = fiveServices();
    const report = admit(services, 2);
    expect(report.admitted).toBe(true);
    const expectedTotal = 8 / 20 + 2 / 10 + 5 / 50;
    expect(report.primary.total).toBeCloseTo(expectedTotal, 12);
    expect(report.primary.bound).toBeCloseTo(2 - 1 * (8 / 20), 12);
    expect(report.comfort.terms.map((t) => t.domain)).toEqual(['cockpit', 'body']);
    expect(report.comfort.total).toBeCloseTo(30 / 100 + 50 / 500, 12);
    expect(report.lines.join('\n')).toContain('comfort best-effort');
  });

  it('refuses an overloaded single core with the arithmetic, the overrun and the alternatives in the message', () => {
    let error: unknown;
    try {
      admit(overloaded(), 1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AdmissionError);
    const msg = (error as AdmissionError).message;
    expect((error as AdmissionError).code).toBe('ADMISSION_REFUSED');
    const densities = [25 / 20, 2 / 10, 5 / 50];
    const total = densities.reduce((a, b) => a + b, 0);
    expect(msg).toContain(`safety density ${densities.map((d) => d.toFixed(2)).join('+')} = ${total.toFixed(2)} > 1`);
    expect(msg).toContain('1 core(s) available to safety');
    expect(msg).toContain('adas cost 25 ms > deadline 20 ms');
    // int8 for all three: 12/20 + 1.5/10 + 3/50 = 0.81 fits one core.
    expect(msg).toMatch(/with int8: .* -> would admit/);
    expect(msg).toMatch(/with fallback: .* -> would admit/);
  });

  it('says when even int8 would not admit', () => {
    const services = overloaded().map((s) => (s.domain === 'adas' ? { ...s, costMs: { fp32: 25, int8: 22 } } : s));
    const report = checkAdmission(services, 1);
    expect(report.admitted).toBe(false);
    expect(report.int8?.ok).toBe(false);
    expect(report.lines.join('; ')).toMatch(/with int8: .*adas cost 22 ms > deadline 20 ms -> would not admit/);
  });

  it('checks a shared process as one core that runs a call at a time, with the arithmetic when it cannot', () => {
    const shared = fiveServices().map((s) => (s.criticality === 'safety' ? { ...s, worker: 'safety' } : s));
    const report = checkAdmission(shared, 2);
    // Two cores would carry the three safety services (0.70 <= 1.60), but one process runs them in
    // turn: chassis (10 ms window) may wait for a whole 8 ms ADAS call first.
    expect(report.primary.total).toBeLessThan(report.primary.bound);
    expect(report.admitted).toBe(false);
    const [w] = report.primary.sharedWorkers;
    expect(w).toMatchObject({ worker: 'safety', members: ['adas', 'chassis', 'powertrain'], ok: false, worst: { domain: 'chassis', blockingMs: 8 } });
    expect(w?.total).toBeCloseTo(0.7, 12);
    expect(w?.worst.load).toBeCloseTo(0.7 + 8 / 10, 12);
    expect(report.lines[0]).toContain('shared process safety (adas, chassis, powertrain) runs one call at a time: 0.70 + chassis blocking 8 ms = 1.50 > 1');
    // On the rule-based fallbacks the same process is admitted.
    expect(report.fallback?.ok).toBe(true);
  });

  it('admits small calls in a shared process and counts its comfort members against it', () => {
    const small = fiveServices().map((s) => ({ ...s, costMs: { fp32: (s.costMs.fp32 ?? 0) / 100, fallback: 0.01 }, worker: 'all' }));
    const report = checkAdmission(small, 2);
    expect(report.admitted).toBe(true);
    const [w] = report.primary.sharedWorkers;
    expect(w?.members).toEqual(['adas', 'chassis', 'powertrain', 'cockpit', 'body']);
    const densities = [0.08 / 20, 0.02 / 10, 0.05 / 50, 0.3 / 100, 0.5 / 500];
    expect(w?.total).toBeCloseTo(densities.reduce((a, b) => a + b, 0), 12);
    // The worst wait is chassis's: body's 0.5 ms call in its 10 ms window.
    expect(w?.worst).toMatchObject({ domain: 'chassis', blockingMs: 0.5 });
    // A process with no safety member is not checked: comfort is best-effort.
    const comfortOnly = fiveServices().map((s) => (s.criticality === 'comfort' ? { ...s, worker: 'comfort' } : s));
    expect(checkAdmission(comfortOnly, 2).primary.sharedWorkers).toEqual([]);
  });

  it('uses min(deadline, period) as the window of a constrained-deadline service', () => {
    const check = safetyDensity(fiveServices(), (s) => s.primary, 1);
    const adas = check.terms.find((t) => t.domain === 'adas');
    expect(adas?.windowMs).toBe(20);
    expect(adas?.density).toBeCloseTo(0.4, 12);
  });

  it('warns about non-preemptive blocking when a long comfort job could hold every core', () => {
    const report = checkAdmission(fiveServices(), 1);
    // body's 50 ms job started just before a chassis release leaves chassis 2 + 50 > 10 ms.
    expect(report.blockingRisks.map((b) => b.domain)).toContain('chassis');
    expect(report.lines.join('\n')).toContain('non-preemptive blocking up to 50 ms');
    // On two cores with comfort free to take both, body and cockpit can hold them: up to 30 ms.
    const open = checkAdmission(fiveServices(), 2, 2);
    expect(open.blockingRisks.find((b) => b.domain === 'chassis')?.blockingMs).toBe(30);
    // With the default limit (comfort on one core at most) a safety job must hold the other: adas, 8 ms.
    const limited = checkAdmission(fiveServices(), 2);
    expect(limited.blockingRisks.find((b) => b.domain === 'chassis')).toBeUndefined();
    expect(limited.blockingRisks.find((b) => b.domain === 'adas')).toBeUndefined();
    // With five cores, four other services can never hold them all.
    expect(checkAdmission(fiveServices(), 5).blockingRisks).toEqual([]);
  });

  it('rejects a malformed profile naming the config path', () => {
    const bad = fiveServices().map((s) => (s.domain === 'chassis' ? { ...s, deadlineMs: 0, primary: 'int8' as const, costMs: { fp32: 2 } } : s));
    expect(() => checkAdmission(bad, 2)).toThrow(ConfigInvalidError);
    try {
      checkAdmission(bad, 2);
    } catch (e) {
      const paths = (e as ConfigInvalidError).issues.map((i) => i.path);
      expect(paths).toContain('domains.chassis.deadline_ms');
      expect(paths).toContain('domains.chassis.variant');
    }
    const cloudSafety = fiveServices().map((s) => (s.domain === 'adas' ? { ...s, primary: 'cloud' as const, costMs: { cloud: 5 } } : s));
    expect(() => checkAdmission(cloudSafety, 2)).toThrow(/safety service cannot run in the cloud/);
  });

  it('is monotone: an admitted set stays admitted with cheaper costs or more cores', () => {
    const task = fc.record({
      cost: fc.double({ min: 0.1, max: 40, noNaN: true }),
      period: fc.integer({ min: 5, max: 200 }),
      deadlineFrac: fc.double({ min: 0.2, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(task, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4 }), fc.double({ min: 0.1, max: 1, noNaN: true }), (tasks, cores, shrink) => {
        const make = (k: number): ServiceSpec[] =>
          tasks.map((t, i) => ({
            domain: `s${i}`,
            criticality: 'safety',
            periodMs: t.period,
            deadlineMs: Math.max(1, t.period * t.deadlineFrac),
            primary: 'fp32',
            costMs: { fp32: t.cost * k },
          }));
        const base = checkAdmission(make(1), cores);
        if (!base.admitted) return;
        expect(checkAdmission(make(shrink), cores).admitted).toBe(true);
        expect(checkAdmission(make(1), cores + 1).admitted).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('service specs of the shipped domains', () => {
  it('take each definition\'s rate, deadline and criticality and admit them on one core with light costs', () => {
    const specs = DOMAIN_LIST.map((d) => serviceSpec(d, { fp32: 1, fallback: 0.1 }));
    expect(specs.find((s) => s.domain === 'chassis')).toMatchObject({ periodMs: 20, deadlineMs: 10, criticality: 'safety' });
    expect(specs.find((s) => s.domain === 'body')).toMatchObject({ periodMs: 1000, criticality: 'comfort' });
    expect(admit(specs, 1).admitted).toBe(true);
    expect(serviceSpec({ ...DOMAINS.adas, rateHz: 40 }, { fp32: 3 }).periodMs).toBe(25);
  });
});
