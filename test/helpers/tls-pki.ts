/**
 * A throw-away PKI for TLS tests, made with the openssl command at test time (no key material lives
 * in the repository): a CA, a broker certificate for 127.0.0.1 signed by it, a vehicle client
 * certificate signed by it, and a second, unrelated CA that signs nothing the broker trusts.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { commandPeer, type Peer } from './peers.js';

export const OPENSSL_BIN = '/usr/bin/openssl';

export function opensslPeer(): Peer {
  return commandPeer(OPENSSL_BIN, 'openssl');
}

export interface TestPki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA the broker does not trust, with a client certificate of its own. */
  readonly rogueCaCert: string;
  readonly rogueClientCert: string;
  readonly rogueClientKey: string;
}

function openssl(args: readonly string[], cwd: string): void {
  const r = spawnSync(OPENSSL_BIN, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.slice(0, 2).join(' ')} failed: ${r.stderr}`);
}

/** A self-signed CA: NAME.key, NAME.crt. */
function ca(dir: string, name: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`], dir);
}

/** A leaf NAME.key, NAME.crt signed by the CA, with the given extensions. */
function leaf(dir: string, name: string, signer: string, cn: string, ext: string): void {
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  writeFileSync(path.join(dir, `${name}.ext`), `${ext}\n`);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${signer}.crt`, '-CAkey', `${signer}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
}

export function makeTestPki(dir: string): TestPki {
  // mosquitto drops to its own user after start and must still reach the folder and read its files.
  chmodSync(dir, 0o755);
  ca(dir, 'ca');
  ca(dir, 'rogue-ca');
  leaf(dir, 'server', 'ca', 'ecu-ai test broker', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth');
  leaf(dir, 'client', 'ca', 'VTLS', 'extendedKeyUsage=clientAuth');
  leaf(dir, 'rogue-client', 'rogue-ca', 'VTLS', 'extendedKeyUsage=clientAuth');
  chmodSync(path.join(dir, 'server.key'), 0o644);
  const f = (n: string): string => path.join(dir, n);
  return {
    caCert: f('ca.crt'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    rogueCaCert: f('rogue-ca.crt'),
    rogueClientCert: f('rogue-client.crt'),
    rogueClientKey: f('rogue-client.key'),
  };
}
