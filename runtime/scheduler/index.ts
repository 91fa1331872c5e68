/** Budget-aware scheduling: admission, EDF dispatch, the degradation ladder and the budget loop. */
export type { Criticality, Job, JobOutcome, ServiceMode, ServiceSpec, Variant } from './types.js';
export { defaultComfortCores, runsOnCore, variantCostMs } from './types.js';
export { serviceSpec, type DomainTiming } from './domain-timing.js';
export { admit, checkAdmission, safetyDensity, type AdmissionReport, type DensityCheck, type DensityTerm } from './admission.js';
export { LatencyHistogram, type LatencySummary } from './histogram.js';
export { ServiceStats, type ServiceSummary } from './service-stats.js';
export { Dispatcher, type DispatcherOptions, type SteppableClock } from './dispatcher.js';
export { DegradationLadder, type LadderEvent, type LadderEventKind, type LadderInputs, type LadderOptions } from './degradation.js';
export { attachGovernor, type Governor } from './governor.js';
