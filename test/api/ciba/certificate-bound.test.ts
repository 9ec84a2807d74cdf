import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateThumbprint } from '../../../src/engine/tokens/certificate-thumbprint.js';
import { DIALECTS } from '../../support/test-server.js';
import { CIBA_GRANT, complete, content, form, newClient, newService, startCiba, startFlow, type CibaEnv, type TestClient, type TestService } from '../../support/ciba-fixtures.js';
import { certificates } from '../../support/dpop.js';

/** Certificate-bound tokens (RFC 8705 §3) through the official Authlete SDK, with `clientCertificate`. */
describe.each(DIALECTS)('certificate-bound tokens on the Authlete API (%s)', (dialect) => {
  let env: CibaEnv;
  let service: TestService;
  let client: TestClient;
  let certs: { good: string; other: string };

  beforeAll(async () => {
    certs = certificates();
    env = await startCiba({ dialect });
    service = await newService(env);
    client = await newClient(env, service.serviceId, { tlsClientCertificateBoundAccessTokens: true, grantTypes: ['CIBA', 'REFRESH_TOKEN'] } as never);
  });
  afterAll(() => env?.close());

  const sid = () => service.serviceId;
  const x5t = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
  const token = (params: Record<string, string>, clientCertificate?: string) =>
    env.sdk.token.process({ serviceId: sid(), tokenRequest: { parameters: form(params), clientId: client.clientId, clientSecret: client.clientSecret, ...(clientCertificate ? { clientCertificate } : {}) } });
  async function authReqId() {
    const flow = await startFlow(env, sid(), client);
    await complete(env, sid(), flow.ticket, 'AUTHORIZED');
    return flow.authReqId;
  }

  it('x5t#S256 is the SHA-256 of the DER, unpadded base64url; PEM text, SPKI and garbage do not count', () => {
    expect(certificateThumbprint(certs.good)).toBe(x5t(certs.good));
    expect(certificateThumbprint(certs.good)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(certificateThumbprint(certs.good)).not.toBe(createHash('sha256').update(certs.good).digest('base64url'));
    expect(certificateThumbprint('garbage')).toBeUndefined();
    expect(certificateThumbprint(`-----BEGIN CERTIFICATE-----\n${'A'.repeat(20_000)}\n-----END CERTIFICATE-----`)).toBeUndefined();
  });

  it('a bound client without a certificate is refused; with one its token is bound, and introspection shows cnf', async () => {
    const id = await authReqId();
    const refused = await token({ grant_type: CIBA_GRANT, auth_req_id: id });
    expect(refused.action).toBe('BAD_REQUEST');
    expect(content(refused).error).toBe('invalid_request');
    expect((await token({ grant_type: CIBA_GRANT, auth_req_id: id }, 'not a certificate')).action).toBe('BAD_REQUEST');

    const issued = await token({ grant_type: CIBA_GRANT, auth_req_id: id }, certs.good);
    expect(issued.action).toBe('OK');
    expect(content(issued).token_type).toBe('Bearer');
    const accessToken = String(issued.accessToken);
    const standard = JSON.parse(String((await env.sdk.introspection.standardProcess({ serviceId: sid(), standardIntrospectionRequest: { parameters: form({ token: accessToken }) } })).responseContent));
    expect(standard.cnf).toEqual({ 'x5t#S256': x5t(certs.good) });

    const ok = await env.sdk.introspection.process({ serviceId: sid(), introspectionRequest: { token: accessToken, clientCertificate: certs.good } });
    expect(ok.action).toBe('OK');
    expect(ok.certificateThumbprint).toBe(x5t(certs.good));
    for (const clientCertificate of [undefined, certs.other, 'garbage']) {
      const refusedAtResource = await env.sdk.introspection.process({ serviceId: sid(), introspectionRequest: { token: accessToken, ...(clientCertificate ? { clientCertificate } : {}) } });
      expect(refusedAtResource.action).toBe('UNAUTHORIZED');
      expect(refusedAtResource.usable).toBe(false);
      expect(refusedAtResource.responseContent).toMatch(/^Bearer error="invalid_token"/);
    }
    expect((await env.sdk.userinfo.process({ serviceId: sid(), userinfoRequest: { token: accessToken, clientCertificate: certs.good } })).action).toBe('OK');
    const userinfoRefused = await env.sdk.userinfo.process({ serviceId: sid(), userinfoRequest: { token: accessToken, clientCertificate: certs.other } });
    expect(userinfoRefused.action).toBe('UNAUTHORIZED');
    expect(userinfoRefused.responseContent).toMatch(/^Bearer error="invalid_token"/);
  });

  it('refresh: a confidential client re-authenticated with a new certificate gets tokens bound to it', async () => {
    const issued = await token({ grant_type: CIBA_GRANT, auth_req_id: await authReqId() }, certs.good);
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: String(issued.refreshToken) }, certs.other);
    expect(refreshed.action).toBe('OK');
    const found = await env.sdk.introspection.process({ serviceId: sid(), introspectionRequest: { token: String(refreshed.accessToken), clientCertificate: certs.other } });
    expect(found.certificateThumbprint).toBe(x5t(certs.other));
    expect((await token({ grant_type: 'refresh_token', refresh_token: String(refreshed.refreshToken) })).action).toBe('BAD_REQUEST');
  });
});
