// Certificates for mutual TLS tests, made with openssl at test time (no key is ever committed):
// a CA, a server certificate for localhost / 127.0.0.1, client certificates with chosen subject
// CNs signed by that CA, and one client certificate signed by another CA.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface TestCertificates {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  /** Client certificate and key files by CN, all signed by the CA. */
  clients: Record<string, { certFile: string; keyFile: string }>;
  /** A client certificate (CN "stranger") signed by another CA. */
  foreign: { certFile: string; keyFile: string };
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

function sign(dir: string, ca: string, name: string, cn: string, ext?: string): void {
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    ],
    dir,
  );
  const args = [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    `${name}.crt`,
  ];
  if (ext) {
    writeFileSync(path.join(dir, `${name}.ext`), ext);
    args.push('-extfile', `${name}.ext`);
  }
  openssl(args, dir);
}

export function makeTestCertificates(clientNames: string[]): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'mqfleet-certs-'));
  const file = (name: string): string => path.join(dir, name);
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  sign(
    dir,
    'ca',
    'server',
    'localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  const clients: TestCertificates['clients'] = {};
  for (const cn of clientNames) {
    const name = `client-${cn.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    sign(dir, 'ca', name, cn, 'extendedKeyUsage=clientAuth\n');
    clients[cn] = { certFile: file(`${name}.crt`), keyFile: file(`${name}.key`) };
  }
  sign(dir, 'other-ca', 'stranger', 'stranger', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caFile: file('ca.crt'),
    serverCertFile: file('server.crt'),
    serverKeyFile: file('server.key'),
    clients,
    foreign: { certFile: file('stranger.crt'), keyFile: file('stranger.key') },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
