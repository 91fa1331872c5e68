/**
 * "How to add a domain" (ARCHITECTURE.md), proven: a domain defined entirely in test/domains/extra/
 * is handed to the runtime beside the five shipped ones, gets its config keys, SOME/IP service and
 * trigger from its definition, and runs through replay with its own model on a simulated drive.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanFrame } from '../../bus/frame.js';
import { DOMAIN_LIST } from '../../domains/index.js';
import { parseConfig } from '../../runtime/config.js';
import { builtinTriggers } from '../../runtime/datalog/triggers.js';
import { runReplaySession } from '../../runtime/compose/replay-session.js';
import type { DomainDefinition } from '../../runtime/service/domain.js';
import { resolveDomains } from '../../runtime/service/resolved.js';
import type { ServiceResult } from '../../runtime/service/runner.js';
import { domainServices } from '../../runtime/someip/service-interfaces.js';
import { vehicleDbcPath } from '../../sim/vehicle-dbc.js';
import { writeSimulation } from '../../sim/write.js';
import { writeModel } from '../runtime/inference/fixtures.js';
import { compiledWorkerEntry } from '../runtime/inference/worker-build.js';
import { repoRoot } from '../helpers/shared-data.js';
import { WHEELS_OUTPUT_MESSAGE, wheelsDomain } from './extra/index.js';

const ALL: readonly DomainDefinition[] = [...DOMAIN_LIST, wheelsDomain as unknown as DomainDefinition];
const DRIVE_S = 10;
const OVERRIDES = {
  platform: { sensors: 'model' },
  domains: { wheels: { rate_hz: 5, watchdog_ms: 800 } },
  someip: { services: { wheels: { service_id: 0x4b02 } } },
  cloud: { snippets: { triggers: ['wheel-spread', 'fallback'] } },
};

describe('a domain added from outside domains/', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-extra-domain-'));
  const tracePath = path.join(dir, 'drive.log');
  const dbcPath = path.join(dir, 'vehicle-with-wheels.dbc');
  const modelsDir = path.join(dir, 'models');

  beforeAll(async () => {
    await writeSimulation({ scenario: 'mixed-drive', durationS: DRIVE_S, seed: 5, out: tracePath });
    // Its own DBC: the reference one with the domain's output message added among the messages.
    const dbc = readFileSync(vehicleDbcPath(), 'utf8');
    const at = dbc.indexOf('\nCM_');
    writeFileSync(dbcPath, `${dbc.slice(0, at)}\n${WHEELS_OUTPUT_MESSAGE}${dbc.slice(at)}`);
    // Its model beside the shipped ones, in one models folder.
    mkdirSync(modelsDir);
    for (const d of DOMAIN_LIST) cpSync(path.join(repoRoot, 'models', d.model), path.join(modelsDir, d.model), { recursive: true });
    writeModel(modelsDir, { name: 'wheels-spread', domain: 'wheels', sizes: [8, 16, 2], int8: true });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gets its config keys, SOME/IP service and trigger from its definition alone', () => {
    expect(() => parseConfig(OVERRIDES, DOMAIN_LIST)).toThrow(/domains\.wheels: unknown key/);
    const config = parseConfig(OVERRIDES, ALL);
    expect(config.domains['wheels']).toMatchObject({ enabled: true, rate_hz: 5, watchdog_ms: 800 });
    const service = domainServices(config.someip, ALL).find((s) => s.domain === 'wheels');
    expect(service?.ids).toEqual({ serviceId: 0x4b02, instanceId: 1, eventgroupId: 1, eventId: 0x8001 });
    const [trigger] = builtinTriggers(resolveDomains(ALL, config), config.cloud.snippets.triggers);
    const hit = trigger?.onResult?.({ domain: 'wheels', t: 1, result: { score: 1.2, flag: true, source: 'model' }, variant: 'fp32', inputsValid: true });
    expect(hit).toMatchObject({ trigger: 'wheel-spread', domain: 'wheels', safety: false, detail: 'wheel spread score 1.2' });
  });

  it('runs through replay beside the five shipped domains, with its model and its output frames', async () => {
    const config = parseConfig(OVERRIDES, ALL);
    const outputs: CanFrame[] = [];
    const results: ServiceResult[] = [];
    const s = await runReplaySession({
      config,
      domains: ALL,
      tracePath,
      dbcPath,
      modelsDir,
      workerEntry: compiledWorkerEntry(),
      onOutput: (f) => outputs.push(f),
      onResult: (r) => results.push(r),
    });
    const wheels = s.domains['wheels'];
    // At its configured 5 Hz over the drive (not its default 10 Hz).
    expect(wheels?.inferences).toBeGreaterThanOrEqual(DRIVE_S * 5 - 2);
    expect(wheels?.inferences).toBeLessThanOrEqual(DRIVE_S * 5 + 1);
    expect(wheels?.variants.fp32).toBeGreaterThan(0);
    expect(wheels?.faults).toBe(0);
    const served = results.filter((r) => r.domain === 'wheels');
    expect(served.some((r) => r.variant === 'fp32' && (r.result as { source: string }).source === 'model')).toBe(true);
    expect(s.outputs['TYR_Spread']).toBe(served.length);
    expect(outputs.filter((f) => f.id === 1520)).toHaveLength(served.length);
    for (const d of DOMAIN_LIST) expect(s.domains[d.domain]?.inferences, d.domain).toBeGreaterThan(0);
  }, 120_000);
});
