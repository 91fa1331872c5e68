import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadShippedModels } from '../../cloud/shipped-models.js';
import { ModelLoadError } from '../../runtime/errors.js';
import { cli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared-data.js';

const shipped = path.join(repoRoot, 'models');
const work = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-shipped-models-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const manifestOf = (dir: string): { variants: Record<string, { sha256?: string }> } => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

describe('the models a cloud worker serves', () => {
  it('serves every shipped model folder, each variant verified, and the cloud variant as fp32', async () => {
    const models = await loadShippedModels(shipped);
    expect(models.refused).toEqual([]);
    expect(models.served).toContain('body-comfort#cloud');
    expect(models.served).toContain('cockpit-drowsiness#cloud');
    // Safety models have no cloud variant in their manifests: nothing to answer for them.
    expect(models.served.filter((m) => m.startsWith('adas-fcw#'))).toEqual(['adas-fcw#fp32', 'adas-fcw#int8']);
    const cloud = models.resolve('body-comfort', 'cloud');
    expect(cloud?.path).toBe(path.join(shipped, 'body-comfort', 'fp32.onnx'));
    expect(sha256(cloud!.bytes)).toBe(manifestOf(path.join(shipped, 'body-comfort')).variants['fp32']?.sha256);
    expect(models.resolve('body-comfort', 'int8')?.path).toBe(path.join(shipped, 'body-comfort', 'int8.onnx'));
    expect(models.resolve('absent', 'cloud')).toBeUndefined();
  });

  it('refuses a tampered file as the vehicle would, and serves the cloud variant from what was verified', async () => {
    const dir = path.join(work, 'tampered');
    cpSync(path.join(shipped, 'body-comfort'), path.join(dir, 'body-comfort'), { recursive: true });
    const fp32 = path.join(dir, 'body-comfort', 'fp32.onnx');
    const bytes = readFileSync(fp32);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    writeFileSync(fp32, bytes);
    const models = await loadShippedModels(dir);
    expect(models.refused).toHaveLength(1);
    expect(models.refused[0]?.reason).toMatch(/body-comfort@1\.1\.0#fp32: variants\.fp32\.sha256: .*fp32\.onnx hashes to [0-9a-f]{64}, the manifest says/);
    expect(models.served).toEqual(['body-comfort#cloud', 'body-comfort#int8']);
    expect(models.resolve('body-comfort', 'fp32')).toBeUndefined();
    expect(models.resolve('body-comfort', 'cloud')?.path).toBe(path.join(dir, 'body-comfort', 'int8.onnx'));
  });

  it('refuses a folder it can serve nothing from, naming what it expects and what it refused', async () => {
    const flat = path.join(work, 'flat');
    mkdirSync(flat, { recursive: true });
    cpSync(path.join(shipped, 'body-comfort', 'fp32.onnx'), path.join(flat, 'body-comfort.onnx'));
    const err = await loadShippedModels(flat).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).code).toBe('MODEL_LOAD');
    expect((err as Error).message).toMatch(/flat: no model to serve: expected model folders with a manifest\.json/);

    const broken = path.join(work, 'broken', 'm');
    mkdirSync(broken, { recursive: true });
    writeFileSync(path.join(broken, 'manifest.json'), '{"name": "m",\n "version": 1}');
    const err2 = await loadShippedModels(path.dirname(broken)).catch((e: unknown) => e);
    expect((err2 as Error).message).toMatch(/no model to serve.*refused:\n {2}.*m[\\/]manifest\.json: invalid manifest/s);
  });
});

describe('ecu-ai cloud against a broker that is not there', () => {
  it('exits 1 with one line naming the broker, no stack trace', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const r = await cli(work, 'cloud', '--broker', `mqtt://127.0.0.1:${port}`, '--models', shipped);
    expect(r.code).toBe(1);
    const lines = r.err.trim().split('\n').filter((l) => l.startsWith('ecu-ai cloud:'));
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^ecu-ai cloud: cannot connect to mqtt://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`))]);
    expect(r.err).not.toMatch(/\n\s+at /);
  }, 20_000);
});
