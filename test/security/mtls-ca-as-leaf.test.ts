import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../support/pki.js';
import { content, form, newService, startCiba, type CibaEnv } from '../support/ciba-fixtures.js';
import { DIALECTS } from '../support/test-server.js';

/**
 * Issue 11's chain validation tried again by the security review: a CA certificate is not a
 * client's certificate. RFC 5280 §4.2.1.9 makes a certificate with cA TRUE one whose key signs
 * certificates; RFC 8705 §2.1 authenticates a client by its own (end-entity) certificate. Without
 * this check, a client registered with the subject DN of a CA (the issuing CA, or the trust anchor
 * itself, which "chains" to itself) authenticated by presenting that public CA certificate.
 */
describe.each(DIALECTS)('tls_client_auth refuses a CA certificate as the client certificate (%s)', (dialect) => {
  let env: CibaEnv;
  let pki: TestPki;

  beforeAll(async () => {
    pki = makeTestPki();
    env = await startCiba({ dialect });
    env.clock.current = Date.now();
  });
  afterAll(async () => {
    await env?.close();
    pki?.remove();
  });

  /** The RFC 4514 form of a certificate's subject, as a client would register it. */
  const subjectDnOf = (pem: string) => new X509Certificate(pem).subject.split('\n').reverse().join(',');

  async function clientNamed(subjectDn: string) {
    const { serviceId } = await newService(env, {}, { mutualTlsValidatePkiCertChain: true, trustedRootCertificates: [pki.root.cert] });
    const { clientId } = await env.admin.createClient(serviceId, { tokenAuthMethod: 'TLS_CLIENT_AUTH', tlsClientAuthSubjectDn: subjectDn, bcDeliveryMode: 'POLL' });
    return (clientCertificate: string, clientCertificatePath: string[] = []) =>
      env.sdk.ciba.processAuthentication({
        serviceId,
        backchannelAuthenticationRequest: { parameters: form({ scope: 'openid', login_hint: 'alice', client_id: clientId }), clientCertificate, clientCertificatePath },
      });
  }

  it('the issuing CA certificate, presented with the root, does not authenticate a client registered with its subject', async () => {
    const start = await clientNamed(subjectDnOf(pki.intermediate.cert));
    for (const path of [[], [pki.root.cert]]) {
      const answer = await start(pki.intermediate.cert, path);
      expect(answer.action).toBe('UNAUTHORIZED');
      expect(content(answer).error).toBe('invalid_client');
    }
  });

  it('the trust anchor itself does not authenticate a client registered with its subject', async () => {
    const start = await clientNamed(subjectDnOf(pki.root.cert));
    const answer = await start(pki.root.cert);
    expect(answer.action).toBe('UNAUTHORIZED');
    expect(content(answer).error).toBe('invalid_client');
  });

  it('an end-entity certificate under the same CAs still authenticates', async () => {
    const start = await clientNamed(pki.subjectDn);
    expect((await start(pki.client.cert, [pki.intermediate.cert])).action).toBe('USER_IDENTIFICATION');
    expect((await start(pki.directClient.cert)).action).toBe('USER_IDENTIFICATION');
  });
});
