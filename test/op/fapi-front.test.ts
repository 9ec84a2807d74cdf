import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock.js';
import { jwtBearerType, keyPair, signJwt, type KeyPair } from '../support/ciba-fixtures.js';
import { tlsRequest } from '../support/tls-client.js';
import { makeTestPki, type Issued, type TestPki } from '../support/pki.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

// Issue 11 item 5 at the ready front, over real TLS on loopback: a FAPI service's clients must send
// signed requests and get sender-constrained tokens (conformance rows 43 and 45), tls_client_auth
// authenticates by a chain to OPENCIBA_TLS_CLIENT_CA, and discovery lists only what FAPI accepts.

interface Answer {
  status: number;
  json: any;
}

function call(server: TestServer, pki: TestPki, method: string, path: string, options: { form?: Record<string, string>; json?: unknown; cert?: Issued } = {}): Promise<Answer> {
  const admin: Record<string, string> = options.json !== undefined ? { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}` } : {};
  return tlsRequest(new URL(path, server.baseUrl).toString(), { ca: pki.root.cert, cert: options.cert }, {
    method,
    headers: admin,
    ...(options.form ? { form: options.form } : options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
  });
}

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
  writeFileSync(join(pki.dir, 'bundle.pem'), pki.root.cert);
});
afterAll(() => pki?.remove());

describe.each(DIALECTS)('FAPI-CIBA at the front over TLS (%s)', (dialect) => {
  let server: TestServer;
  let clock: ManualClock;
  let serviceId: string;
  let issuer: string;
  let key: KeyPair;
  let tlsClient: string;
  let pkjClient: string;

  const now = () => Math.floor(clock.now() / 1000);
  const requestObject = (clientId: string) =>
    signJwt(key, { iss: clientId, aud: issuer, iat: now(), nbf: now(), exp: now() + 300, jti: randomBytes(8).toString('hex'), scope: 'openid', login_hint: 'alice', binding_message: 'W4SCT' });
  const assertion = async (clientId: string) => ({
    client_id: clientId,
    client_assertion_type: jwtBearerType,
    client_assertion: await signJwt(key, { iss: clientId, sub: clientId, aud: issuer, jti: randomBytes(8).toString('hex'), iat: now(), exp: now() + 60 }),
  });
  const backchannel = (form: Record<string, string>, cert?: Issued) => call(server, pki, 'POST', `/s/${serviceId}/backchannel/authentication`, { form, ...(cert ? { cert } : {}) });
  const token = (form: Record<string, string>, cert?: Issued) =>
    call(server, pki, 'POST', `/s/${serviceId}/token`, { form: { grant_type: 'urn:openid:params:grant-type:ciba', ...form }, ...(cert ? { cert } : {}) });

  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    const env = { OPENCIBA_TLS_CERT: join(pki.dir, 'server.pem'), OPENCIBA_TLS_KEY: join(pki.dir, 'server.key'), OPENCIBA_TLS_CLIENT_CA: join(pki.dir, 'bundle.pem') };
    server = await startTestServer({ dialect, env, clock, background: false });
    key = await keyPair('PS256');
    const api = async (method: string, path: string, json: unknown) => {
      const answer = await call(server, pki, method, path, { json });
      if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status} ${JSON.stringify(answer.json)}`);
      return answer.json;
    };
    const service = await api('POST', '/api/service/create', { serviceName: 'fapi front', supportedServiceProfiles: ['FAPI'] });
    serviceId = String(service.apiKey);
    issuer = String(service.issuer);
    const jwks = JSON.stringify({ keys: [key.publicJwk] });
    tlsClient = String((await api('POST', `/api/${serviceId}/client/create`, { clientName: 'bank', tokenAuthMethod: 'TLS_CLIENT_AUTH', tlsClientAuthSubjectDn: pki.subjectDn, jwks, bcDeliveryMode: 'POLL' })).clientId);
    pkjClient = String((await api('POST', `/api/${serviceId}/client/create`, { clientName: 'fintech', tokenAuthMethod: 'PRIVATE_KEY_JWT', jwks, bcDeliveryMode: 'POLL' })).clientId);
    await api('PUT', `/admin/services/${serviceId}/users/alice`, { name: 'Alice' });
  });
  afterAll(async () => server?.close());

  it('tls_client_auth with a signed request is accepted; an unsigned one is 400 invalid_request (row 43)', async () => {
    const accepted = await backchannel({ request: await requestObject(tlsClient), client_id: tlsClient }, pki.directClient);
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(200);
    expect(typeof accepted.json.auth_req_id).toBe('string');
    const unsigned = await backchannel({ scope: 'openid', login_hint: 'alice', binding_message: 'W4SCT', client_id: tlsClient }, pki.directClient);
    expect(unsigned.status).toBe(400);
    expect(unsigned.json.error).toBe('invalid_request');
    expect(unsigned.json.error_description).toMatch(/FAPI-CIBA 5\.2\.2-1 requires a signed authentication request/);
  });

  it('row 45: a token request without a TLS client certificate is refused (mtls: invalid_client; private_key_jwt: invalid_request)', async () => {
    const started = await backchannel({ request: await requestObject(tlsClient), client_id: tlsClient }, pki.directClient);
    const mtls = await token({ auth_req_id: started.json.auth_req_id, client_id: tlsClient });
    expect(mtls.status).toBe(401);
    expect(mtls.json.error).toBe('invalid_client');
    // With the certificate the client authenticates and its token will be bound: the grant answers pending.
    const pending = await token({ auth_req_id: started.json.auth_req_id, client_id: tlsClient }, pki.directClient);
    expect(pending.status).toBe(400);
    expect(pending.json.error).toBe('authorization_pending');

    const pkj = await backchannel({ request: await requestObject(pkjClient), ...(await assertion(pkjClient)) });
    expect(pkj.status, JSON.stringify(pkj.json)).toBe(200);
    const bare = await token({ auth_req_id: pkj.json.auth_req_id, ...(await assertion(pkjClient)) });
    expect(bare.status).toBe(400);
    expect(bare.json.error).toBe('invalid_request');
    expect(bare.json.error_description).toMatch(/requires sender-constrained access tokens/);
    const bound = await token({ auth_req_id: pkj.json.auth_req_id, ...(await assertion(pkjClient)) }, pki.otherSubjectClient);
    expect(bound.json.error).toBe('authorization_pending');
  });

  it('discovery at the front lists only what FAPI accepts', async () => {
    const metadata = (await call(server, pki, 'GET', `/s/${serviceId}/.well-known/openid-configuration`)).json;
    expect(metadata.tls_client_certificate_bound_access_tokens).toBe(true);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['private_key_jwt', 'tls_client_auth']));
    for (const method of metadata.token_endpoint_auth_methods_supported) expect(method).not.toMatch(/^client_secret/);
    expect(metadata.backchannel_token_delivery_modes_supported).not.toContain('push');
    for (const list of ['id_token_signing_alg_values_supported', 'backchannel_authentication_request_signing_alg_values_supported', 'token_endpoint_auth_signing_alg_values_supported']) {
      expect(metadata[list].length, list).toBeGreaterThan(0);
      for (const alg of metadata[list]) expect(['PS256', 'ES256'], list).toContain(alg);
    }
  });
});
