import { describe, expect, it } from 'vitest';
import { LogThrottle, RecentCount } from '../../../runtime/observe/index.js';

describe('LogThrottle', () => {
  it('logs the first occurrence, then at most one per period with the count left out', () => {
    const t = new LogThrottle(10);
    const logged: { at: number; suppressed: number }[] = [];
    // 90 failures a second for 25 s.
    for (let i = 0; i < 90 * 25; i++) {
      const now = i / 90;
      const d = t.hit(now);
      if (d.log) logged.push({ at: now, suppressed: d.suppressed });
    }
    expect(logged.map((l) => Math.round(l.at))).toEqual([0, 10, 20]);
    expect(logged[0]?.suppressed).toBe(0);
    expect(logged[1]?.suppressed).toBe(899);
  });

  it('refuses a period that is not positive', () => {
    expect(() => new LogThrottle(0)).toThrow(RangeError);
  });
});

describe('RecentCount', () => {
  it('counts the growth of a cumulative total over the last window only', () => {
    const c = new RecentCount(5);
    expect(c.count(0)).toBe(0);
    c.observe(0, 0);
    c.observe(1, 2);
    c.observe(3, 5);
    expect(c.count(3)).toBe(5);
    // At 6.5 the window is (1.5, 6.5]: the total was 2 at its start.
    expect(c.count(6.5)).toBe(3);
    expect(c.count(8.5)).toBe(0);
  });
});
