import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIBA_GRANT, complete, content, form, newService, startCiba, type CibaEnv } from '../support/ciba-fixtures.js';
import { makeTestPki, type TestPki } from '../support/pki.js';
import { Authlete } from '@authlete/typescript-sdk';
import { adminApi } from '../support/admin-api.js';
import { ManualClock } from '../support/clock.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

/**
 * tls_client_auth rests on a certificate chain validated to trust anchors (RFC 8705 §2.1), not on
 * a subject name alone: anyone can make a self-signed certificate that names any subject.
 */
describe.each(DIALECTS)('tls_client_auth chain validation through the API (%s)', (dialect) => {
  let env: CibaEnv;
  let pki: TestPki;

  beforeAll(async () => {
    pki = makeTestPki();
    env = await startCiba({ dialect });
    // The certificates were made just now, so the engine's clock must read about now.
    env.clock.current = Date.now();
  });
  afterAll(async () => {
    await env?.close();
    pki?.remove();
  });

  async function pkiClient(service: Record<string, unknown>) {
    const { serviceId } = await newService(env, {}, service);
    const { clientId } = await env.admin.createClient(serviceId, {
      clientName: 'payments',
      tokenAuthMethod: 'TLS_CLIENT_AUTH',
      tlsClientAuthSubjectDn: pki.subjectDn,
      bcDeliveryMode: 'POLL',
    });
    const start = (clientCertificate: string, clientCertificatePath?: string[]) =>
      env.sdk.ciba.processAuthentication({
        serviceId,
        backchannelAuthenticationRequest: {
          parameters: form({ scope: 'openid', login_hint: 'alice', client_id: clientId }),
          clientCertificate,
          ...(clientCertificatePath ? { clientCertificatePath } : {}),
        },
      });
    return { serviceId, clientId, start };
  }

  const refusedAsInvalidClient = (answer: { action?: string; responseContent?: string | undefined }) => {
    expect(answer.action).toBe('UNAUTHORIZED');
    expect(content(answer).error).toBe('invalid_client');
  };

  it('refuses a self-signed forgery of the registered subject when the service has no trust anchors', async () => {
    const { start } = await pkiClient({});
    refusedAsInvalidClient(await start(pki.forged.cert));
    // A real certificate is refused as well: without anchors nothing can be validated.
    refusedAsInvalidClient(await start(pki.client.cert, [pki.intermediate.cert]));
  });

  it('validates the chain to trustedRootCertificates: genuine accepted and redeemed, forged and foreign refused', async () => {
    const { serviceId, clientId, start } = await pkiClient({ mutualTlsValidatePkiCertChain: true, trustedRootCertificates: [pki.root.cert] });

    const accepted = await start(pki.client.cert, [pki.intermediate.cert]);
    expect(accepted.action).toBe('USER_IDENTIFICATION');
    const issued = await env.sdk.ciba.issue({ serviceId, backchannelAuthenticationIssueRequest: { ticket: accepted.ticket! } });
    await complete(env, serviceId, accepted.ticket!, 'AUTHORIZED');
    const token = (clientCertificate: string, clientCertificatePath?: string[]) =>
      env.sdk.token.process({
        serviceId,
        tokenRequest: { parameters: form({ grant_type: CIBA_GRANT, auth_req_id: issued.authReqId!, client_id: clientId }), clientCertificate, ...(clientCertificatePath ? { clientCertificatePath } : {}) },
      });
    // The forgery cannot redeem the genuine client's grant either.
    const forgedToken = await token(pki.forged.cert);
    expect(forgedToken.action).toBe('INVALID_CLIENT');
    expect(content(forgedToken).error).toBe('invalid_client');
    const tokens = await token(pki.client.cert, [pki.intermediate.cert]);
    expect(tokens.action).toBe('OK');
    expect(typeof content(tokens).access_token).toBe('string');

    expect((await start(pki.directClient.cert)).action).toBe('USER_IDENTIFICATION');
    refusedAsInvalidClient(await start(pki.forged.cert));
    refusedAsInvalidClient(await start(pki.strangerClient.cert, [pki.otherRoot.cert]));
    // The intermediate is needed to reach the root, and a forged path cannot stand in for it.
    refusedAsInvalidClient(await start(pki.client.cert));
    refusedAsInvalidClient(await start(pki.client.cert, [pki.forged.cert]));
    // A certificate made for servers only is not a client's (extended key usage).
    refusedAsInvalidClient(await start(pki.serverOnlyClient.cert));
    // Garbage in the path is a failed validation, not a fault.
    refusedAsInvalidClient(await start(pki.client.cert, ['not a certificate', '']));
  });

  it('refuses an expired certificate, by the engine clock', async () => {
    const { start } = await pkiClient({ mutualTlsValidatePkiCertChain: true, trustedRootCertificates: [pki.root.cert] });
    expect((await start(pki.shortLived.cert)).action).toBe('USER_IDENTIFICATION');
    env.clock.advance(3 * 86_400_000);
    try {
      refusedAsInvalidClient(await start(pki.shortLived.cert));
      expect((await start(pki.directClient.cert)).action).toBe('USER_IDENTIFICATION');
    } finally {
      env.clock.advance(-3 * 86_400_000);
    }
  });

  it('refuses when the service asks for chain validation but trusts no root', async () => {
    const { start } = await pkiClient({ mutualTlsValidatePkiCertChain: true });
    refusedAsInvalidClient(await start(pki.directClient.cert));
  });
});

describe('tls_client_auth when the operator states the TLS layer validated the chain', () => {
  let server: TestServer;
  let pki: TestPki;
  beforeAll(async () => {
    pki = makeTestPki();
    server = await startTestServer({ env: { OPENCIBA_CLIENT_CERT_VERIFIED_UPSTREAM: '1' }, clock: new ManualClock(Date.now()) });
  });
  afterAll(async () => {
    await server?.close();
    pki?.remove();
  });

  it('accepts a subject match alone, unless the service asks for validation here', async () => {
    const sdk = new Authlete({ bearer: server.adminToken, serverURL: server.baseUrl });
    const admin = adminApi(server.baseUrl, server.adminToken);
    const attempt = async (service: Record<string, unknown>) => {
      const { serviceId } = await admin.createService({ serviceName: 'upstream', ...service });
      const { clientId } = await admin.createClient(serviceId, { tokenAuthMethod: 'TLS_CLIENT_AUTH', tlsClientAuthSubjectDn: pki.subjectDn, bcDeliveryMode: 'POLL' });
      const parameters = form({ scope: 'openid', login_hint: 'alice', client_id: clientId });
      return sdk.ciba.processAuthentication({ serviceId, backchannelAuthenticationRequest: { parameters, clientCertificate: pki.forged.cert } });
    };
    // What the TLS terminator accepted is trusted as the operator said (here even a self-signed one).
    expect((await attempt({})).action).toBe('USER_IDENTIFICATION');
    // mutualTlsValidatePkiCertChain is the service's own demand: it is enforced regardless.
    expect((await attempt({ mutualTlsValidatePkiCertChain: true })).action).toBe('UNAUTHORIZED');
  });
});
