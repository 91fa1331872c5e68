/**
 * Each `domains.NAME.*` override, resolved once by resolveDomains, reaches every consumer: the
 * dispatcher and the cloud gate (criticality), the cloud request (deadline), the pool's open
 * options (model, isolation, watchdog, memory limit) and the cloud client's safety set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileDatabase, parseDbc } from '../../bus/dbc/index.js';
import { makeFrame } from '../../bus/frame.js';
import { DOMAIN_LIST } from '../../domains/index.js';
import { VirtualClock } from '../../runtime/clock.js';
import { cloudDomainOptions } from '../../runtime/cloud/facade/runner-adapter.js';
import { parseConfig } from '../../runtime/config.js';
import { openDomainModels, type ModelOpener } from '../../runtime/engine/domain-models.js';
import { Engine, type DomainModelInfo } from '../../runtime/engine/engine.js';
import { InferencePool, ModelRegistry, type OpenOptions } from '../../runtime/inference/index.js';
import type { DomainDefinition } from '../../runtime/service/domain.js';
import { resolveDomains } from '../../runtime/service/resolved.js';
import type { RemoteInference } from '../../runtime/service/runner.js';
import { TEST_DBC, TEST_VEHICLE_SIGNALS, testDomain } from './engine/fixture.js';
import { writeModel } from './inference/fixtures.js';
import { compiledWorkerEntry } from './inference/worker-build.js';

const TABLE = [testDomain as DomainDefinition];
const configOf = (domains: Record<string, unknown>) => parseConfig({ platform: { sensors: 'model' }, domains }, TABLE);

describe('resolving the domains against the config', () => {
  it("applies every override once, keeps the definition's facts and the schema's defaults elsewhere, and drops disabled domains", () => {
    const [plain] = resolveDomains(TABLE, configOf({}));
    expect(plain).toMatchObject({ domain: 'adas', model: 'test-adas', variant: 'fp32', rateHz: 20, deadlineMs: 20, criticality: 'safety', isolation: { isolation: 'shared', group: 'safety' }, watchdogMs: 500, maxRssMb: 256 });
    const [set] = resolveDomains(TABLE, configOf({ adas: { model: 'other', variant: 'int8', rate_hz: 10, deadline_ms: 15, criticality: 'comfort', watchdog_ms: 900, max_rss_mb: 300 } }));
    expect(set).toMatchObject({ model: 'other', variant: 'int8', rateHz: 10, deadlineMs: 15, criticality: 'comfort', isolation: { isolation: 'shared', group: 'comfort' }, watchdogMs: 900, maxRssMb: 300 });
    expect(Object.isFrozen(set)).toBe(true);
    expect(resolveDomains(TABLE, configOf({ adas: { enabled: false } }))).toEqual([]);
  });
});

/** A cloud that records what each request asked for and never answers (the fallback then does). */
function recordingCloud(): RemoteInference & { readonly asked: { domain: string; deadlineMs: number }[] } {
  const asked: { domain: string; deadlineMs: number }[] = [];
  return {
    asked,
    healthy: () => true,
    infer: async (domain, _model, _feeds, deadlineMs) => {
      asked.push({ domain, deadlineMs });
      return undefined;
    },
  };
}

/** The test model with a cloud variant whose round trip fits a 15 ms deadline. */
const MODELS: Readonly<Record<string, DomainModelInfo>> = { adas: { model: 'test-adas', inputName: 'x', outputName: 'y', costMs: { fp32: 0.2, cloud: 5 } } };

function engineFor(domains: Record<string, unknown>, cloud: RemoteInference): Engine {
  const config = configOf(domains);
  return new Engine({ config, domains: resolveDomains(TABLE, config), models: MODELS, codecs: compileDatabase(parseDbc(TEST_DBC).database), vehicleSignals: TEST_VEHICLE_SIGNALS, clock: new VirtualClock(0), timing: 'virtual', cloud });
}

describe('the resolved spec in the engine', () => {
  it('gives the criticality override to the dispatcher and to the cloud gate alike', () => {
    const safety = engineFor({}, recordingCloud()).services[0]!;
    expect(safety).toMatchObject({ criticality: 'safety' });
    expect(safety.costMs.cloud).toBeUndefined();
    const comfort = engineFor({ adas: { criticality: 'comfort' } }, recordingCloud()).services[0]!;
    expect(comfort).toMatchObject({ criticality: 'comfort' });
    expect(comfort.costMs.cloud).toBe(5);
  });

  it('sends each cloud request with the configured deadline_ms, not the definition\'s', async () => {
    const cloud = recordingCloud();
    const engine = engineFor({ adas: { criticality: 'comfort', variant: 'cloud', deadline_ms: 15 } }, cloud);
    expect(engine.services[0]).toMatchObject({ primary: 'cloud', deadlineMs: 15 });
    for (let i = 0; i < 100; i++) await engine.ingestAt(makeFrame({ timestamp: i / 100, id: 256, data: [0xe8, 0x03, 0, 0, 0, 0, 0, 0] }));
    await engine.finishAt(1);
    engine.stop();
    expect(cloud.asked.length).toBeGreaterThan(0);
    for (const a of cloud.asked) expect(a.deadlineMs).toBeCloseTo(15, 6);
  });
});

describe('the resolved spec in the cloud client', () => {
  it('refuses the domains whose resolved criticality is safety and gives the comfort ones their model', () => {
    const config = parseConfig({ domains: { chassis: { criticality: 'comfort' }, body: { criticality: 'safety', model: 'body-b' } } }, DOMAIN_LIST);
    const o = cloudDomainOptions(resolveDomains(DOMAIN_LIST, config));
    expect(Object.keys(o.models).sort()).toEqual(['chassis', 'cockpit']);
    expect([...o.safetyDomains].sort()).toEqual(['adas', 'body', 'powertrain']);
  });
});

describe('the resolved spec at the pool', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-overrides-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens the configured model with the configured isolation, watchdog and memory limit', async () => {
    writeModel(dir, { name: 'test-adas', domain: 'adas', sizes: [8, 16, 2] });
    writeModel(dir, { name: 'test-adas-b', domain: 'adas', sizes: [8, 16, 2], seed: 2 });
    const registry = await ModelRegistry.create({ roots: [dir] });
    const pool = await InferencePool.create({ registry, workerEntry: compiledWorkerEntry() });
    const opened: { domain: string; model: string; opts: OpenOptions }[] = [];
    // The real pool, with each open call recorded on its way in.
    const recording: ModelOpener = {
      open: (domain, model, opts) => {
        opened.push({ domain, model: String(model), opts: opts ?? {} });
        return pool.open(domain, model, opts);
      },
      openGroup: (group, members) => pool.openGroup(group, members),
    };
    try {
      const config = configOf({ adas: { model: 'test-adas-b', isolation: 'process', watchdog_ms: 900, max_rss_mb: 300 } });
      const models = await openDomainModels(recording, registry, resolveDomains(TABLE, config));
      expect(models['adas']?.model).toBe('test-adas-b');
      expect(opened).toEqual([{ domain: 'adas', model: 'test-adas-b', opts: { isolation: 'process', watchdogMs: 900, maxRssMb: 300 } }]);
      expect(pool.health().map((h) => h.domain)).toEqual(['adas']);
    } finally {
      await pool.close();
    }
  });
});
