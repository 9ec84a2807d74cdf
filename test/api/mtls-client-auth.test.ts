import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Authlete } from '@authlete/typescript-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../support/pki.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** A self-signed certificate made by openssl, as the TLS terminator would relay it. */
function certificate(dir: string, name: string, subject: string): string {
  const certPath = join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', certPath, '-days', '30', '-subj', subject], { stdio: 'pipe' });
  return readFileSync(certPath, 'utf8');
}

describe('mutual-TLS client authentication through the API (clientCertificate)', () => {
  let server: TestServer;
  let sdk: Authlete;
  let dir: string;
  let serviceId: string;
  let good: string;
  let other: string;
  let pki: TestPki;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openciba-mtls-'));
    good = certificate(dir, 'good', '/C=JP/O=Example Corp/CN=tls-client');
    other = certificate(dir, 'other', '/C=JP/O=Example Corp/CN=intruder');
    pki = makeTestPki();
    server = await startTestServer();
    sdk = new Authlete({ bearer: server.adminToken, serverURL: server.baseUrl });
    serviceId = String((await sdk.service.create({ serviceName: 'mtls' })).apiKey);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
    pki?.remove();
  });

  const start = (clientId: number, clientCertificate: string, inService = serviceId) =>
    sdk.ciba.processAuthentication({
      serviceId: inService,
      backchannelAuthenticationRequest: { parameters: `scope=openid&login_hint=alice&client_id=${clientId}`, clientCertificate },
    });

  it('tls_client_auth: the registered subject DN must match the certificate', async () => {
    // A chain to a trusted root is needed as well (RFC 8705 §2.1): the service trusts the test PKI's root.
    const pkiServiceId = String((await sdk.service.create({ serviceName: 'mtls pki', trustedRootCertificates: [pki.root.cert] })).apiKey);
    const client = await sdk.client.create({
      serviceId: pkiServiceId,
      client: { clientName: 'mtls', tokenAuthMethod: 'TLS_CLIENT_AUTH', tlsClientAuthSubjectDn: pki.subjectDn, bcDeliveryMode: 'POLL' },
    });
    const accepted = await start(client.clientId!, pki.directClient.cert, pkiServiceId);
    expect(accepted.action).toBe('USER_IDENTIFICATION');
    expect(accepted.clientAuthMethod).toBe('TLS_CLIENT_AUTH');
    const refused = await start(client.clientId!, pki.otherSubjectClient.cert, pkiServiceId);
    expect(refused.action).toBe('UNAUTHORIZED');
    expect(JSON.parse(refused.responseContent!).error).toBe('invalid_client');
  });

  it('self_signed_tls_client_auth: the certificate key must be one of the registered keys', async () => {
    const jwk = JSON.parse(execFileSync(process.execPath, ['-e', `
      const { X509Certificate } = require('node:crypto');
      const cert = new X509Certificate(require('node:fs').readFileSync(${JSON.stringify(join(dir, 'good.pem'))}));
      process.stdout.write(JSON.stringify(cert.publicKey.export({ format: 'jwk' })));
    `], { encoding: 'utf8' }));
    const client = await sdk.client.create({
      serviceId,
      client: { clientName: 'self-signed', tokenAuthMethod: 'SELF_SIGNED_TLS_CLIENT_AUTH', jwks: JSON.stringify({ keys: [{ ...jwk, kid: 'cert' }] }), bcDeliveryMode: 'POLL' },
    });
    expect((await start(client.clientId!, good)).action).toBe('USER_IDENTIFICATION');
    expect((await start(client.clientId!, other)).action).toBe('UNAUTHORIZED');
    expect((await start(client.clientId!, 'not a certificate')).action).toBe('UNAUTHORIZED');
  });
});
