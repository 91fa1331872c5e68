/**
 * `ecu-ai vehicle`: check a vehicle profile against its DBC (and a recording), and draft a profile
 * from a DBC.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadDbcFile } from '../bus/dbc/index.js';
import { writeFileAtomic } from '../bus/files/index.js';
import { DOMAIN_LIST } from '../domains/index.js';
import { formatProblem, loadProfileParts } from '../runtime/vehicle/index.js';
import { parseCliArgs } from './args.js';
import { EXIT_BAD_INPUT, EXIT_OK, UsageError, writeOut, type CliCommand, type CliIo } from './command.js';
import { projectRoot } from './paths.js';
import { subcommandHelps } from './subcommand-help.js';
import { domainCoverage, formatReport, reportJson, traceAppearance, type CheckReport } from './vehicle-check.js';
import { draftProfile } from './vehicle-init.js';

/** The profile of the reference vehicle, the default. */
export const referenceProfile: string = path.join(projectRoot, 'vehicles', 'reference.yaml');

const HELP = `Usage:
  ecu-ai vehicle check [--profile PROFILE] [--dbc DBC] [--trace TRACE] [--json]
  ecu-ai vehicle init --dbc DBC [--out PROFILE] [--force]

check    resolves PROFILE (default: the reference vehicle's, vehicles/reference.yaml) against
         DBC (default: the profile's dbc:) and prints, per domain, whether it runs (every
         required input mapped), the required inputs not mapped and the optional ones that
         take their default; with --trace, which mapped signals never appear in TRACE
         (decoded with the DBC). Each problem of the profile is one line on stderr,
         file:line: signal: what (fix: what to change). --json prints the report as JSON.
init     drafts a profile from DBC: for each catalog signal the best-ranked DBC signal (by
         name, unit, comment, bit width and value range) as a commented-out guess with its
         score, to be confirmed by removing the "# "; then the DBC signals no guess uses.
         Writes to stdout, or to PROFILE (never over an existing file without --force).

Exit codes: 0 ok (disabled domains are reported, not errors), 2 bad usage or a profile problem.`;

/** Bad input named on stderr without the whole help text: exit 2. */
class VehicleInputError extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
}

async function check(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs(args, { profile: { type: 'string' }, dbc: { type: 'string' }, trace: { type: 'string' }, json: { type: 'boolean' } });
  if (positionals.length > 0) throw new UsageError(`vehicle check takes no positional arguments (found "${positionals[0]}")`);
  const profileFile = values.profile !== undefined ? path.resolve(io.cwd, values.profile) : referenceProfile;
  const shown = values.profile ?? path.relative(io.cwd, referenceProfile);
  const loaded = await loadProfileParts(profileFile, values.dbc !== undefined ? { dbc: path.resolve(io.cwd, values.dbc), dbcName: values.dbc } : {});
  // Problems name the profile as the user wrote it.
  const parts = { ...loaded, problems: loaded.problems.map((p) => (p.file === profileFile ? { ...p, file: shown } : p)) };
  const trace = values.trace !== undefined && parts.database && parts.resolved ? { ...(await traceAppearance(path.resolve(io.cwd, values.trace), parts.database, parts.resolved)), file: values.trace } : undefined;
  const report: CheckReport = {
    profile: shown,
    vehicle: parts.profile?.vehicle,
    dbc: values.dbc ?? (parts.dbcPath !== undefined ? path.relative(io.cwd, parts.dbcPath) : undefined),
    mapped: parts.resolved?.signals.size ?? 0,
    domains: domainCoverage(DOMAIN_LIST, parts.resolved, trace),
    trace,
    problems: parts.problems,
  };
  await writeOut(io.stdout, values.json === true ? reportJson(report) : formatReport(report, (n) => parts.resolved?.signals.get(n)));
  for (const p of parts.problems) io.stderr.write(`${formatProblem(p)}\n`);
  if (parts.problems.length === 0) return EXIT_OK;
  io.stderr.write(`${parts.problems.length} problem${parts.problems.length === 1 ? '' : 's'} in ${shown}\n`);
  return EXIT_BAD_INPUT;
}

async function init(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs(args, { dbc: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } });
  if (positionals.length > 0) throw new UsageError(`vehicle init takes no positional arguments (found "${positionals[0]}")`);
  if (values.dbc === undefined) throw new UsageError('vehicle init needs --dbc DBC');
  const dbcFile = path.resolve(io.cwd, values.dbc);
  const out = values.out !== undefined ? path.resolve(io.cwd, values.out) : undefined;
  if (out !== undefined && existsSync(out) && values.force !== true) throw new VehicleInputError(`${values.out} exists; pass --force to replace it`);
  const { database } = await loadDbcFile(dbcFile);
  const relative = path.relative(out !== undefined ? path.dirname(out) : io.cwd, dbcFile).split(path.sep).join('/');
  const vehicle = path.basename(dbcFile).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_.-]+/g, '-') || 'my-vehicle';
  const text = draftProfile(database, { vehicle, dbc: relative, dbcName: path.basename(dbcFile) });
  if (out === undefined) {
    await writeOut(io.stdout, text);
    return EXIT_OK;
  }
  await writeFileAtomic(out, text);
  io.stderr.write(`draft profile written to ${values.out}: every mapping is a commented-out guess to confirm\n`);
  return EXIT_OK;
}

const SUBCOMMANDS: Record<string, (args: readonly string[], io: CliIo) => Promise<number>> = { check, init };

export const vehicleCommand: CliCommand = {
  name: 'vehicle',
  summary: 'check a vehicle profile against its DBC and a trace; draft a profile from a DBC',
  help: HELP,
  subcommandHelp: subcommandHelps('vehicle', HELP, Object.keys(SUBCOMMANDS)),
  async run(args, io) {
    const [sub, ...rest] = args;
    const run = sub !== undefined ? SUBCOMMANDS[sub] : undefined;
    if (!run) throw new UsageError(sub === undefined ? 'vehicle needs a subcommand: check or init' : `unknown subcommand "${sub}" (check or init)`);
    return run(rest, io);
  },
};
