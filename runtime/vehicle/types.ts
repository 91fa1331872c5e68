/**
 * The contract between the vehicle catalog, a vehicle profile and the runtime.
 *
 * Domains read **catalog signals** (COVESA VSS names where VSS has one, the `Vehicle.EcuAi.*`
 * extension branch where it does not). A **vehicle profile** (YAML) says where each catalog signal
 * comes from on one vehicle: a DBC message and signal, or an expression over signals of one
 * message, or a SOME/IP event field, with an optional transform. Resolving a profile against the
 * vehicle's DBC gives one `ResolvedSignal` per mapped catalog signal; the signal store applies
 * its transform when the message arrives, so a domain never sees the vehicle's own units or names.
 */

/** How a catalog signal's value is typed. `bool` and `enum` values are numbers in the store. */
export type CatalogValueType = 'float' | 'int' | 'bool' | 'enum';

/** One signal of the catalog: the vehicle-independent meaning a domain reads. */
export interface CatalogSignal {
  /** Dotted path, e.g. `Vehicle.Speed`, `Vehicle.EcuAi.Radar.Object1.Distance`. */
  readonly name: string;
  /** Unit symbol from the unit table (`km/h`, `m/s^2`, `degC`, `V`, `A`, `percent`, ...); `''` when dimensionless. */
  readonly unit: string;
  readonly type: CatalogValueType;
  /** Plausible physical range in `unit`; a value outside it is still stored but counted. */
  readonly min: number;
  readonly max: number;
  readonly description: string;
  /** `vss` when the name is COVESA VSS's own, `extension` for the project's branch. */
  readonly origin: 'vss' | 'extension';
}

/** What a domain says about one catalog signal it reads. */
export interface DomainInput {
  /** A domain whose required inputs are not all mapped is disabled, with the reason. */
  readonly required: boolean;
  /**
   * Value the features use when an optional input is not mapped on this vehicle (documented in
   * `models describe`). Absent for required inputs.
   */
  readonly default?: number;
}

/** Computes a catalog value from the decoded physical values of one message (by DBC signal name). */
export type SignalTransform = (decoded: Readonly<Record<string, number | string>>) => number | string | undefined;

/** One catalog signal resolved against a vehicle's DBC (or SOME/IP inputs). */
export interface ResolvedSignal {
  /** The catalog name. */
  readonly name: string;
  /** DBC message name, or the SOME/IP pseudo-message `SOMEIP_<SERVICE>_<EVENT>`. */
  readonly message: string;
  /** The DBC signals read: one for a plain mapping, every operand of an expression. */
  readonly signals: readonly string[];
  /** Only frames on this channel feed the signal; absent means any channel. */
  readonly channel?: string;
  /** Expected period, overriding the DBC's cycle time and learning (multiplexed or event-driven messages). */
  readonly periodMs?: number;
  /** The signal goes invalid this long after its last arrival, overriding the store's periods rule. */
  readonly timeoutMs?: number;
  /** The multiplexer value that carries the signal, when the DBC signal is multiplexed. */
  readonly muxValue?: number;
  /**
   * Catalog value from the decoded message; `null` means the identity on `signals[0]` (the store's
   * fast path, which keeps the reference vehicle's replay byte-identical).
   */
  readonly transform: SignalTransform | null;
  /**
   * For the simulator, which encodes a catalog value onto this vehicle's bus: DBC signal values that
   * produce `value`, or undefined when the mapping cannot be inverted (an expression over two signals).
   */
  readonly inverse?: (value: number) => Readonly<Record<string, number>> | undefined;
  /** Where the mapping is written: profile file and 1-based line. */
  readonly file: string;
  readonly line: number;
}

/** A problem found while reading or resolving a profile: one line for the operator. */
export interface ProfileProblem {
  readonly file: string;
  readonly line?: number;
  /** The catalog signal concerned, when there is one. */
  readonly signal?: string;
  readonly message: string;
  /** What to change, in words. */
  readonly fix?: string;
}

/** A profile resolved against one DBC. */
export interface ResolvedProfile {
  /** The profile's `vehicle:` name. */
  readonly vehicle: string;
  readonly file: string;
  /** The DBC the profile names (`dbc:`, resolved against the profile's folder), if it names one. */
  readonly dbcPath?: string;
  /** Mapped catalog signals by name, in profile order. */
  readonly signals: ReadonlyMap<string, ResolvedSignal>;
}
