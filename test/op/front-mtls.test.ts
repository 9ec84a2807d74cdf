import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock.js';
import { tlsRequest } from '../support/tls-client.js';
import { makeTestPki, type Issued, type TestPki } from '../support/pki.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

interface Answer {
  status: number;
  json: any;
}

/** One request over real HTTP(S) on loopback, with a client certificate (and its chain) if given. */
function call(server: TestServer, pki: TestPki, method: string, path: string, options: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string>; cert?: Issued; chain?: string[] } = {}): Promise<Answer> {
  const admin: Record<string, string> = options.json !== undefined ? { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}` } : {};
  return tlsRequest(new URL(path, server.baseUrl).toString(), { ca: pki.root.cert, cert: options.cert, chain: options.chain }, {
    method,
    headers: { ...admin, ...options.headers },
    ...(options.form ? { form: options.form } : options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
  });
}

interface Front {
  server: TestServer;
  serviceId: string;
  pkiClientId: string;
  secretClient: { clientId: string; clientSecret: string };
  backchannel(options?: Parameters<typeof call>[4], clientId?: string): Promise<Answer>;
  discovery(): Promise<Record<string, any>>;
}

async function startFront(pki: TestPki, env: Record<string, string>, dialect: (typeof DIALECTS)[number] = 'sqlite'): Promise<Front> {
  const server = await startTestServer({ dialect, env, clock: new ManualClock(Date.now()), background: false });
  const api = (method: string, path: string, json?: unknown) => call(server, pki, method, path, { json: json ?? {} }).then((answer) => {
    if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status}`);
    return answer.json;
  });
  const service = await api('POST', '/api/service/create', { serviceName: 'mtls front', tlsClientCertificateBoundAccessTokens: true });
  const serviceId = String(service.apiKey);
  const pkiClient = await api('POST', `/api/${serviceId}/client/create`, { clientName: 'payments', tokenAuthMethod: 'TLS_CLIENT_AUTH', tlsClientAuthSubjectDn: pki.subjectDn, bcDeliveryMode: 'POLL' });
  const secret = await api('POST', `/api/${serviceId}/client/create`, { clientName: 'secret', bcDeliveryMode: 'POLL' });
  await api('PUT', `/admin/services/${serviceId}/users/alice`, { name: 'Alice' });
  const pkiClientId = String(pkiClient.clientId);
  return {
    server,
    serviceId,
    pkiClientId,
    secretClient: { clientId: String(secret.clientId), clientSecret: String(secret.clientSecret) },
    backchannel: (options = {}, clientId = pkiClientId) =>
      call(server, pki, 'POST', `/s/${serviceId}/backchannel/authentication`, { ...options, form: { scope: 'openid', login_hint: 'alice', client_id: clientId, ...options.form } }),
    discovery: async () => (await call(server, pki, 'GET', `/s/${serviceId}/.well-known/openid-configuration`)).json,
  };
}

const expectInvalidClient = (answer: Answer) => {
  expect(answer.status).toBe(401);
  expect(answer.json.error).toBe('invalid_client');
};

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
  writeFileSync(join(pki.dir, 'bundle.pem'), pki.root.cert);
});
afterAll(() => pki?.remove());

const tlsEnv = () => ({ OPENCIBA_TLS_CERT: join(pki.dir, 'server.pem'), OPENCIBA_TLS_KEY: join(pki.dir, 'server.key'), OPENCIBA_TLS_CLIENT_CA: join(pki.dir, 'bundle.pem') });

describe.each(DIALECTS)('the front with direct TLS (%s)', (dialect) => {
  let front: Front;
  beforeAll(async () => {
    front = await startFront(pki, tlsEnv(), dialect);
  });
  afterAll(async () => front?.server.close());

  it('listens with HTTPS and authenticates tls_client_auth by a chain to OPENCIBA_TLS_CLIENT_CA', async () => {
    expect(front.server.baseUrl.startsWith('https://')).toBe(true);
    const accepted = await front.backchannel({ cert: pki.client, chain: [pki.intermediate.cert] });
    expect(accepted.status).toBe(200);
    expect(typeof accepted.json.auth_req_id).toBe('string');
    expect((await front.backchannel({ cert: pki.directClient })).status).toBe(200);
  });

  it('refuses the self-signed forgery, a foreign CA, a missing intermediate and no certificate at all', async () => {
    expectInvalidClient(await front.backchannel({ cert: pki.forged }));
    expectInvalidClient(await front.backchannel({ cert: pki.strangerClient, chain: [pki.otherRoot.cert] }));
    expectInvalidClient(await front.backchannel({ cert: pki.client }));
    expectInvalidClient(await front.backchannel());
    // The token endpoint authenticates the same way.
    const token = await call(front.server, pki, 'POST', `/s/${front.serviceId}/token`, { cert: pki.forged, form: { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: 'unknown', client_id: front.pkiClientId } });
    expectInvalidClient(token);
  });

  it('lets clients without a certificate connect (requested, not required)', async () => {
    const { clientId, clientSecret } = front.secretClient;
    const answer = await front.backchannel({ headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` } }, clientId);
    expect(answer.status).toBe(200);
  });

  it('advertises mTLS: aliases, certificate methods, certificate-bound tokens', async () => {
    const metadata = await front.discovery();
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['tls_client_auth', 'self_signed_tls_client_auth', 'private_key_jwt']));
    expect(metadata.mtls_endpoint_aliases).toMatchObject({ token_endpoint: metadata.token_endpoint, backchannel_authentication_endpoint: metadata.backchannel_authentication_endpoint, userinfo_endpoint: metadata.userinfo_endpoint });
    expect(Object.keys(metadata.mtls_endpoint_aliases).every((name) => name.endsWith('_endpoint') && name in metadata && name !== 'authorization_endpoint')).toBe(true);
    expect(metadata.tls_client_certificate_bound_access_tokens).toBe(true);
  });
});

describe('the front behind a TLS-terminating proxy', () => {
  const header = 'x-ssl-client-cert';
  const escaped = (issued: Issued) => encodeURIComponent(issued.cert);
  let trusted: Front;
  let untrusted: Front;
  beforeAll(async () => {
    const common = { OPENCIBA_CLIENT_CERT_HEADER: header, OPENCIBA_TLS_CLIENT_CA: join(pki.dir, 'bundle.pem') };
    trusted = await startFront(pki, { ...common, OPENCIBA_TRUSTED_PROXIES: '127.0.0.1/32, ::1' });
    untrusted = await startFront(pki, { ...common, OPENCIBA_TRUSTED_PROXIES: '192.0.2.0/24 2001:db8::/32' });
  });
  afterAll(async () => {
    await trusted?.server.close();
    await untrusted?.server.close();
  });

  it('believes the header from a trusted proxy: a genuine certificate authenticates, a forged one does not', async () => {
    expect((await trusted.backchannel({ headers: { [header]: escaped(pki.directClient) } })).status).toBe(200);
    // A chain may follow the certificate in the header.
    expect((await trusted.backchannel({ headers: { [header]: encodeURIComponent(pki.client.cert + pki.intermediate.cert) } })).status).toBe(200);
    expectInvalidClient(await trusted.backchannel({ headers: { [header]: escaped(pki.forged) } }));
  });

  it('ignores the header from any other address', async () => {
    expectInvalidClient(await untrusted.backchannel({ headers: { [header]: escaped(pki.directClient) } }));
    // Ignored entirely: not even its size is looked at.
    expectInvalidClient(await untrusted.backchannel({ headers: { [header]: 'A'.repeat(11 * 1024) } }));
  });

  it('treats garbage as no certificate and refuses an oversized header, never a 500', async () => {
    for (const value of ['garbage', '%E0%A4%A', encodeURIComponent('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), encodeURIComponent(pki.directClient.cert.replace(/[A-Z]/, '*'))]) {
      expectInvalidClient(await trusted.backchannel({ headers: { [header]: value } }));
    }
    const oversized = await trusted.backchannel({ headers: { [header]: encodeURIComponent(pki.directClient.cert) + 'A'.repeat(11 * 1024) } });
    expect(oversized.status).toBe(400);
    expect(oversized.json.error).toBe('invalid_request');
    // Beyond Node's header limit the HTTP layer answers itself; still a client error.
    const huge = await trusted.backchannel({ headers: { [header]: 'A'.repeat(20 * 1024) } });
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
  });

  it('advertises the certificate methods and aliases when a proxy is trusted', async () => {
    const metadata = await trusted.discovery();
    expect(metadata.token_endpoint_auth_methods_supported).toContain('tls_client_auth');
    expect(metadata.mtls_endpoint_aliases?.token_endpoint).toBe(metadata.token_endpoint);
  });
});

describe('the front without TLS or a trusted proxy', () => {
  let front: Front;
  beforeAll(async () => {
    front = await startFront(pki, {});
  });
  afterAll(async () => front?.server.close());

  it('lists only what each endpoint accepts, and no mTLS', async () => {
    const metadata = await front.discovery();
    for (const endpoint of ['token_endpoint', 'revocation_endpoint', 'introspection_endpoint']) {
      const methods: string[] = metadata[`${endpoint}_auth_methods_supported`];
      expect(methods).not.toContain('tls_client_auth');
      expect(methods).not.toContain('self_signed_tls_client_auth');
    }
    // The front's /introspect authenticates through the engine, with every method the service lists for it.
    expect(metadata.introspection_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt']);
    expect(metadata.introspection_endpoint_auth_signing_alg_values_supported).toEqual(metadata.token_endpoint_auth_signing_alg_values_supported);
    expect(metadata.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(metadata.mtls_endpoint_aliases).toBeUndefined();
    // The service supports certificate binding, but no certificate ever reaches this front.
    expect(metadata.tls_client_certificate_bound_access_tokens).toBe(false);
    // A certificate header is not read at all here.
    expectInvalidClient(await front.backchannel({ headers: { 'x-ssl-client-cert': encodeURIComponent(pki.directClient.cert) } }));
  });
});
