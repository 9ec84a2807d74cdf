import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its private key, PEM. */
export interface Issued {
  cert: string;
  key: string;
}

/**
 * A small PKI made with the openssl CLI for the mutual-TLS tests:
 * - `root` → `intermediate` → `client` (the registered client, `CN=payments-client,O=Bank`);
 * - `directClient`: the same subject issued by `root` itself;
 * - `forged`: a self-signed certificate with the same subject (the attack);
 * - `otherRoot` → `strangerClient`: the same subject under a CA nobody trusts;
 * - `serverOnlyClient`: the subject under `root` but with only the serverAuth extended key usage;
 * - `otherSubjectClient`: a genuine certificate under `root` for another subject (`CN=intruder,O=Bank`);
 * - `server`: a TLS server certificate for 127.0.0.1 under `root`;
 * - `shortLived`: the subject under `root`, valid for one day (move a ManualClock to expire it).
 */
export interface TestPki {
  dir: string;
  root: Issued;
  intermediate: Issued;
  client: Issued;
  directClient: Issued;
  forged: Issued;
  otherRoot: Issued;
  strangerClient: Issued;
  serverOnlyClient: Issued;
  otherSubjectClient: Issued;
  server: Issued;
  shortLived: Issued;
  /** The subject DN of the client certificates, as a client registers it (RFC 4514). */
  subjectDn: string;
  remove(): void;
}

const EXTENSIONS = `
[ req ]
distinguished_name = dn
[ dn ]
[ ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
[ server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
[ serveronly ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
`;

const SUBJECT = '/O=Bank/CN=payments-client';

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'openciba-pki-'));
  const config = join(dir, 'openssl.cnf');
  writeFileSync(config, EXTENSIONS);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const read = (name: string): Issued => ({ cert: readFileSync(join(dir, `${name}.pem`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

  const selfSigned = (name: string, subject: string, section: string, days = 30) => {
    openssl('req', '-x509', ...newKey, '-config', config, '-extensions', section, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`), '-days', String(days), '-subj', subject);
    return read(name);
  };
  const issue = (name: string, subject: string, issuer: string, section: string, days = 30) => {
    openssl('req', '-new', ...newKey, '-config', config, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.csr`), '-subj', subject);
    openssl('x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, `${issuer}.pem`), '-CAkey', join(dir, `${issuer}.key`), '-CAcreateserial', '-out', join(dir, `${name}.pem`), '-days', String(days), '-extfile', config, '-extensions', section);
    return read(name);
  };

  const root = selfSigned('root', '/CN=OpenCIBA Test Root CA', 'ca');
  const intermediate = issue('intermediate', '/CN=OpenCIBA Test Issuing CA', 'root', 'ca');
  const otherRoot = selfSigned('other-root', '/CN=Somebody Else Root CA', 'ca');
  return {
    dir,
    root,
    intermediate,
    client: issue('client', SUBJECT, 'intermediate', 'client'),
    directClient: issue('direct-client', SUBJECT, 'root', 'client'),
    forged: selfSigned('forged', SUBJECT, 'client'),
    otherRoot,
    strangerClient: issue('stranger-client', SUBJECT, 'other-root', 'client'),
    serverOnlyClient: issue('server-only-client', SUBJECT, 'root', 'serveronly'),
    otherSubjectClient: issue('other-subject', '/O=Bank/CN=intruder', 'root', 'client'),
    server: issue('server', '/CN=localhost', 'root', 'server'),
    shortLived: issue('short-lived', SUBJECT, 'root', 'client', 1),
    subjectDn: 'CN=payments-client,O=Bank',
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
