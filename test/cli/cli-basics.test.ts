import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-cli-basics-'));

describe('ecu-ai basics', () => {
  it('--version prints the package version', async () => {
    const r = await cli(dir, '--version');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(r.code).toBe(0);
    expect(r.out).toBe(`ecu-ai ${pkg.version}\n`);
  });

  it('takes a negative number as an option value and answers with the range error', async () => {
    const r = await cli(dir, 'sim', '--scenario', 'highway-cruise', '--duration', '-5', '--seed', '1', '--out', 'x.log');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--duration takes a positive number, not "-5"');
    expect(r.err).not.toContain('ambiguous');
  });

  it('calls a bad labels file invalid labels, with file:line', async () => {
    writeFileSync(path.join(dir, 'l.jsonl'), '{"t":0,"domain":"adas","label":{}}\nnot json\n');
    writeFileSync(path.join(dir, 'd.log'), '(1.000000) can0 0B0#0000000000000000\n');
    const r = await cli(dir, 'replay', 'd.log', '--labels', 'l.jsonl', '--local-only', '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toContain('l.jsonl:2: invalid labels: not JSON');
    expect(r.err).not.toContain('invalid config');
  });
});
