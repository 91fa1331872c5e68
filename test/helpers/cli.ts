/** Runs the `ecu-ai` CLI in-process with captured output, as a user's shell would see it. */
import { PassThrough } from 'node:stream';
import { runCli } from '../../cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function cli(cwd: string, ...argv: string[]): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await runCli(argv, { stdout, stderr, cwd });
  return { code, out, err };
}
