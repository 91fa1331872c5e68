/**
 * The vocabulary the scheduler shares with its integrator: what a service costs, how it is being
 * run right now (its mode on the degradation ladder), and what a dispatched job looks like.
 * Durations from profiles are in milliseconds (as in the config); instants are clock seconds.
 */

export type Criticality = 'safety' | 'comfort';

/** How an inference is served: a local model, the cloud, or the domain's rule-based fallback. */
export type Variant = 'fp32' | 'int8' | 'cloud' | 'fallback';

/** One domain service as the scheduler sees it. */
export interface ServiceSpec {
  readonly domain: string;
  readonly criticality: Criticality;
  /** Release period; a service released on message uses its minimum inter-arrival time here. */
  readonly periodMs: number;
  /** Relative deadline, release to completion. */
  readonly deadlineMs: number;
  /** The variant the config asks for when nothing is degraded. */
  readonly primary: Variant;
  /**
   * Profiled cost per variant in ms of one core's time (for `cloud`: the modelled round trip,
   * which occupies no core). A variant absent here is not available for the service.
   */
  readonly costMs: Readonly<Partial<Record<Variant, number>>>;
  /** Optional profiled energy per inference (mJ); lets a power budget prefer a slower but leaner variant. */
  readonly energyMj?: Readonly<Partial<Record<Variant, number>>>;
  /**
   * The shared process that runs this service's inference with other services', one call at a time
   * (`isolation: shared`); absent for a worker of its own. Admission checks each such process as a
   * single core.
   */
  readonly worker?: string;
}

/** How a service runs at the moment; the degradation ladder decides, the dispatcher obeys. */
export interface ServiceMode {
  readonly variant: Variant;
  /** Releases are thinned to one in `rateDivisor` (1 = full rate). */
  readonly rateDivisor: number;
  /** A shed service is released no more. */
  readonly shed: boolean;
}

/** One released job. `costS` is the modelled cost of `variant` at release. */
export interface Job {
  readonly id: number;
  readonly domain: string;
  readonly variant: Variant;
  readonly release: number;
  readonly deadline: number;
  readonly costS: number;
  /** Whether the job holds a core while it runs (cloud round trips do not). */
  readonly onCore: boolean;
}

/**
 * What the integrator's `execute` may report back. When the domain service had to answer with a
 * different variant (worker down, cloud timeout), naming it keeps the modelled completion honest.
 */
export interface JobOutcome {
  readonly variant?: Variant;
}

/** The cost of a variant for a service, in ms, or undefined when the service has no such variant. */
export function variantCostMs(spec: ServiceSpec, variant: Variant): number | undefined {
  return spec.costMs[variant];
}

/** Whether a variant runs on a local core (everything but the cloud round trip). */
export function runsOnCore(variant: Variant): boolean {
  return variant !== 'cloud';
}

/**
 * The default limit on cores comfort jobs may hold at once: all but one on a multi-core SoC, so a
 * safety release always finds a core free of comfort work; the only core on a single-core one.
 */
export function defaultComfortCores(cores: number): number {
  return cores > 1 ? cores - 1 : 1;
}
