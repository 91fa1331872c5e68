/**
 * A real mosquitto for the cloud tests: started on a free loopback port with a generated config,
 * optionally with a password file and a pattern ACL (`%u` = the user name), stoppable with SIGKILL
 * and restartable on the same port to simulate a broker crash.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { commandPeer, type Peer } from './peers.js';

export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';

/** The mosquitto peer: present when the Debian package is installed. */
export function mosquittoPeer(): Peer {
  return commandPeer(MOSQUITTO_BIN, 'mosquitto');
}

export interface MosquittoOptions {
  /** user -> password; when given, anonymous clients are refused. */
  readonly users?: Readonly<Record<string, string>>;
  /** ACL file text (mosquitto acl_file syntax). */
  readonly acl?: string;
  /**
   * Keep sessions and queued messages across restarts: persistence on, saved every second, so a
   * SIGKILL loses at most the last second (mosquitto snapshots; it has no write-ahead log).
   */
  readonly persistence?: boolean;
  /**
   * A TLS listener instead of plain TCP (PEM file paths): the broker's certificate and key, and the CA
   * a client certificate must chain to. `requireCertificate` refuses clients without one.
   */
  readonly tls?: { readonly cafile: string; readonly certfile: string; readonly keyfile: string; readonly requireCertificate: boolean };
  /** Without `users`: whether clients without a login are let in (default true). */
  readonly anonymous?: boolean;
  /** Lines of mosquitto.conf to add (a plugin, max_packet_size); `{dir}` stands for the broker's folder. */
  readonly extraConf?: readonly string[];
  /** Files to write into the broker's folder before it starts, by name (mode 0666: mosquitto runs as its own user). */
  readonly files?: Readonly<Record<string, string>>;
}

export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  /** Kills the broker with SIGKILL (a crash, not a shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same config. */
  restart(): Promise<void>;
  /** Stops it and removes its files. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitListening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`mosquitto did not listen on ${port}: ${log()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Starts mosquitto on 127.0.0.1 at a free port. */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecu-ai-mosquitto-'));
  // Started as root, mosquitto drops to its own user, which must still read the config and write the db.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const persistence = opts.persistence ? ['persistence true', `persistence_location ${dir}/`, 'autosave_interval 1'] : ['persistence false'];
  const lines = [`listener ${port} 127.0.0.1`, ...persistence, 'log_dest stderr', 'log_type error', 'log_type warning', 'max_keepalive 60', 'set_tcp_nodelay true'];
  if (opts.users) {
    const pw = path.join(dir, 'passwd');
    writeFileSync(pw, '');
    for (const [user, pass] of Object.entries(opts.users)) {
      const r = spawnSync('mosquitto_passwd', ['-b', pw, user, pass], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
    }
    lines.push('allow_anonymous false', `password_file ${pw}`);
  } else {
    lines.push(`allow_anonymous ${opts.anonymous ?? true}`);
  }
  for (const [name, text] of Object.entries(opts.files ?? {})) {
    writeFileSync(path.join(dir, name), text);
    chmodSync(path.join(dir, name), 0o666);
  }
  for (const line of opts.extraConf ?? []) lines.push(line.replaceAll('{dir}', dir));
  if (opts.tls) {
    lines.push(`cafile ${opts.tls.cafile}`, `certfile ${opts.tls.certfile}`, `keyfile ${opts.tls.keyfile}`, `require_certificate ${opts.tls.requireCertificate}`);
  }
  if (opts.acl !== undefined) {
    const acl = path.join(dir, 'acl');
    writeFileSync(acl, opts.acl);
    lines.push(`acl_file ${acl}`);
  }
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);

  let child: ChildProcess | undefined;
  let stderr = '';
  const launch = async (): Promise<void> => {
    stderr = '';
    const c = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child = c;
    await waitListening(port, c, () => stderr);
  };
  const kill = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await launch();
  return {
    port,
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
