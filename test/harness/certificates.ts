import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throw-away self-signed certificate for `localhost` / 127.0.0.1, made with openssl now (never committed).
 */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'poolaudit-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1'].concat([
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ]),
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A certificate for a server that reads it from files: the PEM text, the files, and their removal. */
export interface CertificateFiles {
  readonly key: string;
  readonly cert: string;
  readonly keyPath: string;
  readonly certPath: string;
  remove(): void;
}

/**
 * A fresh self-signed certificate written to a temp dir, the key readable by its owner only. `owner` names the
 * system user the server runs as when it is not this one (PostgreSQL refuses a key another user can read, and
 * runs as `postgres`); it takes effect when the tests run as root.
 */
export function certificateFiles(options: { readonly owner?: string } = {}): CertificateFiles {
  const { key, cert } = selfSignedCertificate();
  const dir = mkdtempSync(join(tmpdir(), 'poolaudit-tls-files-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  writeFileSync(certPath, cert);
  writeFileSync(keyPath, key);
  chmodSync(keyPath, 0o600);
  if (options.owner !== undefined && process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', options.owner]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', options.owner]).toString().trim());
    for (const path of [dir, keyPath, certPath]) chownSync(path, uid, gid);
  }
  return { key, cert, keyPath, certPath, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
