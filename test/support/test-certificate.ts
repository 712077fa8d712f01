// Test helper: a throwaway self-signed certificate for localhost / 127.0.0.1, made with the openssl CLI.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestCertificate {
  readonly dir: string;
  readonly keyPath: string;
  readonly certPath: string;
  readonly key: Buffer;
  readonly cert: Buffer;
  /** Removes the folder. */
  remove(): void;
}

/**
 * Makes a key and a one-day certificate for localhost and 127.0.0.1 in a new temporary folder. Fails
 * loudly when openssl is missing: a TLS test that silently skips proves nothing.
 */
export function makeTestCertificate(prefix = 'framerpc-tls-', keyType: 'rsa' | 'ec' = 'rsa'): TestCertificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  const keyArgs = keyType === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', ...keyArgs, '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      { stdio: 'pipe' },
    );
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`this test needs the openssl CLI to make a test certificate; install openssl (e.g. apt-get install openssl). Cause: ${(error as Error).message}`);
  }
  return { dir, keyPath, certPath, key: fs.readFileSync(keyPath), cert: fs.readFileSync(certPath), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
