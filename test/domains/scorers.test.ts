import { describe, expect, it } from 'vitest';
import { adasDomain } from '../../domains/adas/index.js';
import { AccuracyCounter, DetectionCounter, EventCounter, MaeCounter, metric } from '../../domains/common/scorers.js';
import { powertrainDomain } from '../../domains/powertrain/index.js';

describe('metrics without support', () => {
  it('are null, never a perfect or a zero score', () => {
    const det = new DetectionCounter();
    det.add(false, false);
    expect(det.recall()).toBeNull();
    expect(det.precision()).toBeNull();
    expect(new EventCounter().recall()).toBeNull();
    expect(new AccuracyCounter().accuracy()).toBeNull();
    expect(new MaeCounter().mae()).toBeNull();
    expect(metric(null)).toBeNull();
    det.add(true, true);
    expect(det.recall()).toBe(1);
    expect(det.precision()).toBe(1);
  });

  it('a drive with no anomaly scores powertrain recall, cell accuracy and detection delay as null', () => {
    const s = powertrainDomain.createScorer?.();
    if (!s) throw new Error('no scorer');
    const quiet = { score: 0, suspectCell: null, flag: false, source: 'model' as const };
    for (let t = 0; t < 10; t++) s.add(t, quiet, { anomaly: false, cell: null, fault: null });
    const m = s.summary(10);
    expect(m.recall).toBeNull();
    expect(m.precision).toBeNull();
    expect(m.cell_accuracy).toBeNull();
    expect(m.event_recall).toBeNull();
    expect(m.median_detection_delay_s).toBeNull();
  });

  it('a drive with no collision scores ADAS recall as null but still counts false warnings', () => {
    const s = adasDomain.createScorer?.();
    if (!s) throw new Error('no scorer');
    const warn = { level: 2 as const, probability: 1, ttcS: 1, targetId: 1, source: 'model' as const };
    for (let t = 0; t < 10; t++) s.add(t, warn, { collision_imminent: false, ttc_s: null, lead_distance_m: null, closing_speed_mps: null, lead_id: null });
    const m = s.summary(3600);
    expect(m.recall).toBeNull();
    expect(m.false_warnings_per_hour).toBe(1);
    expect(s.summary(0).false_warnings_per_hour).toBeNull();
  });
});
