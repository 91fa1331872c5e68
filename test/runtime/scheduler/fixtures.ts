/** The five domain services with plausible profiled costs (int8 is not always cheaper on a CPU). */
import type { ServiceSpec } from '../../../runtime/scheduler/types.js';

export function fiveServices(): ServiceSpec[] {
  return [
    { domain: 'adas', criticality: 'safety', periodMs: 50, deadlineMs: 20, primary: 'fp32', costMs: { fp32: 8, int8: 9, fallback: 0.2 } },
    { domain: 'chassis', criticality: 'safety', periodMs: 20, deadlineMs: 10, primary: 'fp32', costMs: { fp32: 2, int8: 1.5, fallback: 0.1 } },
    { domain: 'powertrain', criticality: 'safety', periodMs: 100, deadlineMs: 50, primary: 'fp32', costMs: { fp32: 5, int8: 3, fallback: 0.1 } },
    { domain: 'cockpit', criticality: 'comfort', periodMs: 200, deadlineMs: 100, primary: 'fp32', costMs: { fp32: 30, int8: 20, cloud: 60, fallback: 0.5 } },
    { domain: 'body', criticality: 'comfort', periodMs: 1000, deadlineMs: 500, primary: 'fp32', costMs: { fp32: 50, int8: 60, cloud: 80, fallback: 0.1 } },
  ];
}
