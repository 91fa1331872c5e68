/**
 * Golden replays, in the manner of a process replay: each drive of GOLDEN_DRIVES is replayed and
 * its canonical summary compared byte for byte with the fixture in `fixtures/`. A change that is
 * meant to alter decisions regenerates them with `npm run golden:update` in the same commit, and
 * the commit message says why they changed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GOLDEN_DRIVES, replayGolden } from './golden-drives.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-golden-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('golden replay summaries', () => {
  for (const drive of GOLDEN_DRIVES) {
    it(`${drive.name} replays to the stored summary and output frames`, async () => {
      const text = await replayGolden(drive, work);
      await expect(text).toMatchFileSnapshot(path.join('fixtures', `${drive.name}.json`));
    }, 180_000);
  }
});
