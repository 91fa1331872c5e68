/** The simulator's errors: bad options, and a vehicle profile it cannot encode onto its DBC. */

/** Thrown for a scenario name or duration the simulator does not accept. */
export class SimUsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'SimUsageError';
  }
}

/**
 * A profile mapping the encoder cannot put on the target DBC: the message or signal it names is
 * not there, or a multiplexer value does not fit the message. Names the profile line and the fix.
 */
export class VehicleEncodingError extends SimUsageError {
  constructor(
    readonly signal: string,
    readonly file: string,
    readonly line: number,
    problem: string,
    readonly fix: string,
  ) {
    super(`${file}:${line}: ${signal}: ${problem}; ${fix}`);
    this.name = 'VehicleEncodingError';
  }
}
