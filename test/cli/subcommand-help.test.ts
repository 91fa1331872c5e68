import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-subhelp-'));

describe('a subcommand\'s --help', () => {
  it.each([
    ['trace', 'convert', ['ecu-ai trace convert IN OUT', 'replaces OUT only when', '--lenient skips'], ['ecu-ai trace cat', 'stats    per-id']],
    ['dbc', 'decode', ['ecu-ai dbc decode DBC', '--choices', 'Exit codes'], ['ecu-ai dbc encode', 'show     messages']],
    ['models', 'eval', ['ecu-ai models eval', 'Exit 1 when a model misses its bar', 'Domains:'], ['models build', 'Re-calibrate']],
    ['someip', 'call', ['ecu-ai someip call SERVICE METHOD', 'calls METHOD', '--sd '], ['someip list', 'subscribe  finds']],
  ])('ecu-ai %s %s --help shows that subcommand only', async (command, sub, has, hasNot) => {
    const r = await cli(dir, command, sub, '--help');
    expect(r.code).toBe(0);
    for (const h of has) expect(r.out).toContain(h);
    for (const h of hasNot) expect(r.out).not.toContain(h);
  });

  it('the command\'s own --help still shows every subcommand', async () => {
    const r = await cli(dir, 'dbc', '--help');
    for (const s of ['dbc show', 'dbc decode', 'dbc encode']) expect(r.out).toContain(s);
  });
});
