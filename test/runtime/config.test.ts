import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../cli/run.js';
import { exposedSecrets, loadConfigFile, parseConfig } from '../../runtime/config.js';
import { ConfigInvalidError } from '../../runtime/errors.js';
import { DOMAIN_LIST } from '../../domains/index.js';

describe('config', () => {
  it('fills the embedded defaults from an empty object', () => {
    const c = parseConfig({}, DOMAIN_LIST);
    expect(c.http).toEqual({ host: '127.0.0.1', port: 9780 });
    expect(c.domains['adas']?.enabled).toBe(true);
    expect(c.transports).toEqual([{ kind: 'virtual', channel: 'can0' }]);
    expect(Object.isFrozen(c.domains.adas)).toBe(true);
  });

  it('names the path of every invalid field at once', () => {
    try {
      parseConfig({ domains: { adas: { deadline_ms: -5 }, body: { variant: 'gpu' } }, http: { port: 70000 } }, DOMAIN_LIST);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigInvalidError);
      const paths = (err as ConfigInvalidError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['domains.adas.deadline_ms', 'domains.body.variant', 'http.port']));
      expect((err as Error).message).toContain('domains.adas.deadline_ms');
    }
  });

  it('polls a worker pipe for 100 µs by default, and refuses a window past 1 ms by its path', () => {
    expect(parseConfig({}, DOMAIN_LIST).inference.spin_us).toBe(100);
    expect(parseConfig({ inference: { spin_us: 0 } }, DOMAIN_LIST).inference.spin_us).toBe(0);
    expect(() => parseConfig({ inference: { spin_us: 5000 } }, DOMAIN_LIST)).toThrow(/inference\.spin_us/);
  });

  it('rejects unknown keys rather than ignoring a typo', () => {
    expect(() => parseConfig({ domains: { adas: { dedline_ms: 5 } } }, DOMAIN_LIST)).toThrow(/domains\.adas/);
  });

  it('rejects a recovery temperature that is not below the degradation temperature', () => {
    expect(() => parseConfig({ scheduler: { degrade_c: 70, recover_c: 75 } }, DOMAIN_LIST)).toThrow(/scheduler\.recover_c/);
  });

  it('loads YAML and reports a syntax error with file, line and column', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ecu-ai-config-'));
    const good = path.join(dir, 'good.yaml');
    writeFileSync(good, 'vehicle_id: car-7\ndomains:\n  body:\n    enabled: false\n');
    const c = await loadConfigFile(good, DOMAIN_LIST);
    expect(c.vehicle_id).toBe('car-7');
    expect(c.domains['body']?.enabled).toBe(false);
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'vehicle_id: car-7\ndomains: [unclosed\n');
    await expect(loadConfigFile(bad, DOMAIN_LIST)).rejects.toThrow(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+`));
  });
});

describe('background load schedule', () => {
  it('integrates busy core-seconds over the steps', async () => {
    const { backgroundBusy } = await import('../../runtime/engine/engine.js');
    const busy = backgroundBusy([{ from_s: 10, cores: 2 }, { from_s: 0, cores: 0.5 }, { from_s: 20, cores: 0 }], 100);
    expect(busy(100)).toBe(0);
    expect(busy(105)).toBeCloseTo(2.5, 12);
    expect(busy(115)).toBeCloseTo(5 + 10, 12);
    expect(busy(150)).toBeCloseTo(5 + 20, 12);
  });
});

describe('config errors a user can act on', () => {
  it('answers a misspelt key with the nearest known one and the file:line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ecu-ai-config-'));
    const file = path.join(dir, 'c.yaml');
    writeFileSync(file, 'vehicle_id: car-1\ndomains:\n  adas:\n    deadline_msx: 20\n  chasis:\n    enabled: false\nscheduler:\n  cores: -1\n');
    const err = await loadConfigFile(file, DOMAIN_LIST).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain(`${file}:4: domains.adas.deadline_msx: unknown key; did you mean "deadline_ms"?`);
    expect(err?.message).toContain(`${file}:5: domains.chasis: unknown key; did you mean "chassis"?`);
    expect(err?.message).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:8: scheduler\\.cores: `));
  });

  it('lists the known keys when nothing is near', () => {
    expect(() => parseConfig({ scheduler: { zzzzzzzzzzzz: 1 } }, DOMAIN_LIST)).toThrow(/scheduler\.zzzzzzzzzzzz: unknown key; known here: .*cores/);
  });
});

describe('a secret in a config file others may read', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecu-ai-config-secret-'));
  const configFile = (name: string, text: string, mode: number): string => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    chmodSync(file, mode);
    return file;
  };
  // A DBC that does not exist ends the start right after the config is read: no daemon runs.
  const withPassword = 'log_level: silent\ndbc: no-such.dbc\ncloud:\n  username: VIN1\n  password: hunter2\n';

  it('is reported with the file, its mode and the fix when group or others may read it', async () => {
    const open = configFile('open.yaml', withPassword, 0o644);
    const found = await exposedSecrets(open, await loadConfigFile(open, DOMAIN_LIST));
    expect(found).toMatchObject({ file: open, mode: 0o644, fields: ['cloud.password'] });
    expect(found?.message).toContain(`chmod 600 ${open}`);
    expect(found?.message).toContain('mode 0644');
    const groupOnly = configFile('group.yaml', withPassword, 0o640);
    expect((await exposedSecrets(groupOnly, await loadConfigFile(groupOnly, DOMAIN_LIST)))?.mode).toBe(0o640);
  });

  it('is not reported for a private file, or for a password taken from the environment', async () => {
    const closed = configFile('closed.yaml', withPassword, 0o600);
    expect(await exposedSecrets(closed, await loadConfigFile(closed, DOMAIN_LIST))).toBeUndefined();
    const fromEnv = configFile('env.yaml', 'cloud:\n  password_env: ECU_AI_MQTT_PASSWORD\n', 0o644);
    expect(await exposedSecrets(fromEnv, await loadConfigFile(fromEnv, DOMAIN_LIST))).toBeUndefined();
  });

  const runWith = async (args: readonly string[]): Promise<{ code: number; stderr: string }> => {
    let stderr = '';
    const sink = (collect: (s: string) => void): Writable => new Writable({ write: (chunk: Buffer, _e, done) => (collect(chunk.toString()), done()) });
    const code = await runCommand.run([...args, '--http', '127.0.0.1:0'], { stdout: sink(() => undefined), stderr: sink((s) => (stderr += s)), cwd: dir });
    return { code, stderr };
  };

  it('makes ecu-ai run warn on stderr and go on starting', async () => {
    const open = configFile('run-open.yaml', withPassword, 0o644);
    const r = await runWith(['--config', open]);
    expect(r.stderr).toContain(`ecu-ai run: warning: ${open} (mode 0644) holds cloud.password inline`);
    // It went on: the start failed later, on the DBC.
    expect(r.stderr).toMatch(/cannot start: .*no-such\.dbc/);
    expect(r.code).toBe(1);
    const closed = configFile('run-closed.yaml', withPassword, 0o600);
    expect((await runWith(['--config', closed])).stderr).not.toContain('warning');
  });

  it('makes ecu-ai run refuse to start with --refuse-exposed-secrets', async () => {
    const open = configFile('run-refuse.yaml', withPassword, 0o604);
    const r = await runWith(['--config', open, '--refuse-exposed-secrets']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot start: refused (--refuse-exposed-secrets): ${open} (mode 0604)`);
    expect(r.stderr).not.toContain('no-such.dbc');
  });
});
