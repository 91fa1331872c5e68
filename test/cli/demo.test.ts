import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

describe('ecu-ai demo --out', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-demo-out-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('naming an existing file is bad input: exit 2, one line, no stack', async () => {
    writeFileSync(path.join(work, 'existing'), 'keep me');
    const r = await cli(work, 'demo', '--out', 'existing');
    expect(r.code).toBe(2);
    expect(r.err).toBe('ecu-ai demo: --out existing: exists and is not a folder (summary.json and report.html go into a folder)\n');
  });

  it('naming a folder under a file is bad input too', async () => {
    writeFileSync(path.join(work, 'plain'), '');
    const r = await cli(work, 'demo', '--out', 'plain/sub');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^ecu-ai demo: --out plain\/sub: a part of the path is a file, not a folder\n$/);
  });
});
