import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { CIBA_GRANT, clientAssertion, form, jwtBearerType, keyPair, rawPost, signJwt, startCiba, type CibaEnv, type KeyPair } from '../support/ciba-fixtures.js';
import { dpopKey, proof } from '../support/dpop.js';
import { makeTestPki, type TestPki } from '../support/pki.js';
import { DIALECTS } from '../support/test-server.js';

// Issue 11 item 5: the FAPI-CIBA profile per service (supportedServiceProfiles FAPI) or per client
// (fapiModes FAPI1_ADVANCED). Every rule is refused with the rule named, and accepted when followed;
// conformance rows 26, 33-36, 43 and 45 of ../shared/reference/conformance-ciba.md are reproduced.

const FAPI = { supportedServiceProfiles: ['FAPI'] };

interface Answer {
  status: number;
  body: any;
  /** The OAuth error answer inside responseContent. */
  oauth: any;
}

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki?.remove());

describe.each(DIALECTS)('the FAPI-CIBA profile (%s)', (dialect) => {
  let env: CibaEnv;
  let serviceId: string;
  let issuer: string;
  let ps256: KeyPair;
  let rs256: KeyPair;
  let es256: KeyPair;
  let pkjClient: string;
  let tlsClient: string;

  const api = async (path: string, body: unknown): Promise<Answer> => {
    const answer = await rawPost(env, path, body);
    const text = answer.json?.responseContent;
    const content = typeof text === 'string' && text.startsWith('{') ? JSON.parse(text) : undefined;
    return { status: answer.status, body: answer.json, oauth: content };
  };
  const now = () => Math.floor(env.clock.now() / 1000);
  const requestClaims = (clientId: string, extra: Record<string, unknown> = {}) => ({
    iss: clientId,
    aud: issuer,
    iat: now(),
    nbf: now(),
    exp: now() + 300,
    jti: randomBytes(8).toString('hex'),
    scope: 'openid',
    login_hint: 'alice',
    binding_message: 'W4SCT',
    ...extra,
  });
  const assertionParams = async (clientId: string, key: KeyPair = ps256, audience = issuer) => ({
    client_id: clientId,
    client_assertion_type: jwtBearerType,
    client_assertion: await clientAssertion(env, key, clientId, audience),
  });
  const backchannel = (service: string, parameters: Record<string, string>, extra: Record<string, unknown> = {}) =>
    api(`/api/${service}/backchannel/authentication`, { parameters: form(parameters), ...extra });
  const token = (service: string, parameters: Record<string, string>, extra: Record<string, unknown> = {}) =>
    api(`/api/${service}/auth/token`, { parameters: form(parameters), ...extra });
  const signedRequest = async (clientId: string, key: KeyPair = ps256, extra: Record<string, unknown> = {}) => ({
    request: await signJwt(key, requestClaims(clientId, extra)),
    ...(await assertionParams(clientId)),
  });
  const createClient = (service: string, client: Record<string, unknown>) => rawPost(env, `/api/${service}/client/create`, { clientName: 'fapi', ...client });
  const pkjMembers = () => ({ tokenAuthMethod: 'PRIVATE_KEY_JWT', jwks: JSON.stringify({ keys: [ps256.publicJwk, rs256.publicJwk, es256.publicJwk] }), bcDeliveryMode: 'POLL' });

  const expectRefusal = (answer: Answer, status: number, error: string, rule: RegExp) => {
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.oauth?.error, JSON.stringify(answer.body)).toBe(error);
    expect(answer.oauth.error_description).toMatch(rule);
    expect(answer.body.action).toBe(status === 401 ? (answer.body.action === 'INVALID_CLIENT' ? 'INVALID_CLIENT' : 'UNAUTHORIZED') : 'BAD_REQUEST');
  };
  const expectRegistrationRefused = (answer: { status: number; json: any }, member: string, rule: RegExp) => {
    expect(answer.status, JSON.stringify(answer.json)).toBe(400);
    expect(answer.json.resultMessage).toContain(`'${member}'`);
    expect(answer.json.resultMessage).toMatch(rule);
  };

  beforeAll(async () => {
    env = await startCiba({ dialect });
    // The test PKI's certificates are valid from now on; the manual clock starts there too.
    env.clock.current = Date.now();
    [ps256, rs256, es256] = await Promise.all([keyPair('PS256'), keyPair('RS256'), keyPair('ES256')]);
    const service = await env.admin.createService({ serviceName: 'fapi', ...FAPI, trustedRootCertificates: [pki.root.cert] });
    serviceId = service.serviceId;
    issuer = service.issuer;
    await env.admin.putUser(serviceId, 'alice', { name: 'Alice' });
    pkjClient = (await env.admin.createClient(serviceId, pkjMembers())).clientId;
    tlsClient = (await env.admin.createClient(serviceId, { tokenAuthMethod: 'TLS_CLIENT_AUTH', tlsClientAuthSubjectDn: pki.subjectDn, bcDeliveryMode: 'PING', bcNotificationEndpoint: 'https://rp.example.com/cb' })).clientId;
  });
  afterAll(() => env?.close());

  describe('registration under a FAPI service', () => {
    it('refuses client_secret_* (naming tokenAuthMethod), public clients, push, and RS256 or HS256 algorithms', async () => {
      expectRegistrationRefused(await createClient(serviceId, { bcDeliveryMode: 'POLL' }), 'tokenAuthMethod', /FAPI 1\.0 Advanced 5\.2\.2-14/);
      for (const method of ['CLIENT_SECRET_BASIC', 'CLIENT_SECRET_POST', 'CLIENT_SECRET_JWT']) {
        expectRegistrationRefused(await createClient(serviceId, { tokenAuthMethod: method }), 'tokenAuthMethod', /private_key_jwt, tls_client_auth and self_signed_tls_client_auth/);
      }
      expectRegistrationRefused(await createClient(serviceId, { clientType: 'PUBLIC', tokenAuthMethod: 'NONE' }), 'clientType', /confidential/);
      expectRegistrationRefused(await createClient(serviceId, { ...pkjMembers(), bcDeliveryMode: 'PUSH', bcNotificationEndpoint: 'https://rp.example.com/cb' }), 'bcDeliveryMode', /push/);
      expectRegistrationRefused(await createClient(serviceId, { ...pkjMembers(), idTokenSignAlg: 'RS256' }), 'idTokenSignAlg', /only PS256 and ES256/);
      expectRegistrationRefused(await createClient(serviceId, { ...pkjMembers(), tokenAuthSignAlg: 'RS256' }), 'tokenAuthSignAlg', /only PS256 and ES256/);
      expectRegistrationRefused(await createClient(serviceId, { ...pkjMembers(), bcRequestSignAlg: 'RS256' }), 'bcRequestSignAlg', /only PS256 and ES256/);
      expectRegistrationRefused(await createClient(serviceId, { ...pkjMembers(), bcRequestSignAlg: 'ES512' }), 'bcRequestSignAlg', /only PS256 and ES256/);
    });

    it('refuses the same at update, and accepts private_key_jwt, tls_client_auth and self_signed_tls_client_auth with PS256/ES256', async () => {
      const current = await env.admin.call('GET', `/api/${serviceId}/client/get/${pkjClient}`);
      expectRegistrationRefused(await rawPost(env, `/api/${serviceId}/client/update/${pkjClient}`, { ...current, tokenAuthMethod: 'CLIENT_SECRET_BASIC' }), 'tokenAuthMethod', /FAPI/);
      expectRegistrationRefused(await rawPost(env, `/api/${serviceId}/client/update/${pkjClient}`, { ...current, idTokenSignAlg: 'RS256' }), 'idTokenSignAlg', /FAPI/);
      for (const members of [
        { ...pkjMembers(), tokenAuthSignAlg: 'PS256', bcRequestSignAlg: 'ES256', idTokenSignAlg: 'ES256' },
        { tokenAuthMethod: 'TLS_CLIENT_AUTH', tlsClientAuthSubjectDn: pki.subjectDn },
        { tokenAuthMethod: 'SELF_SIGNED_TLS_CLIENT_AUTH', jwks: JSON.stringify({ keys: [es256.publicJwk] }), bcDeliveryMode: 'PING', bcNotificationEndpoint: 'https://rp.example.com/cb' },
      ]) {
        const created = await createClient(serviceId, members);
        expect(created.status, created.text).toBe(200);
      }
    });

    it('service profile members: FAPI and FAPI1_ADVANCED only; fapiModes need the FAPI profile', async () => {
      const refused: [Record<string, unknown>, string][] = [
        [{ supportedServiceProfiles: ['OPEN_BANKING'] }, 'supportedServiceProfiles'],
        [{ supportedServiceProfiles: ['FAPI', 'OPEN_BANKING'] }, 'supportedServiceProfiles'],
        [{ fapiModes: ['FAPI1_ADVANCED'] }, 'fapiModes'],
        [{ ...FAPI, fapiModes: ['FAPI2_SECURITY'] }, 'fapiModes'],
        [{ ...FAPI, fapiModes: ['FAPI1_BASELINE'] }, 'fapiModes'],
      ];
      for (const [members, member] of refused) {
        const answer = await rawPost(env, '/api/service/create', { serviceName: 'bad', ...members });
        expect(answer.status, JSON.stringify(members)).toBe(400);
        expect(answer.json.resultMessage).toContain(member);
      }
      const accepted = await rawPost(env, '/api/service/create', { serviceName: 'fapi1', ...FAPI, fapiModes: ['FAPI1_ADVANCED'] });
      expect(accepted.status, accepted.text).toBe(200);
      expectRegistrationRefused(await createClient(serviceId, { ...pkjMembers(), fapiModes: ['FAPI2_SECURITY'] }), 'fapiModes', /not implemented/);
    });
  });

  describe('backchannel authentication', () => {
    it('accepts a PS256 request object with a PS256 assertion, and an ES256 request object', async () => {
      const accepted = await backchannel(serviceId, await signedRequest(pkjClient));
      expect(accepted.body.action, JSON.stringify(accepted.body)).toBe('USER_IDENTIFICATION');
      const es = await backchannel(serviceId, await signedRequest(pkjClient, es256));
      expect(es.body.action, JSON.stringify(es.body)).toBe('USER_IDENTIFICATION');
    });

    it('row 43: an unsigned request (no request parameter) is 400 invalid_request naming FAPI-CIBA 5.2.2-1', async () => {
      const answer = await backchannel(serviceId, { scope: 'openid', login_hint: 'alice', binding_message: 'W4SCT', ...(await assertionParams(pkjClient)) });
      expectRefusal(answer, 400, 'invalid_request', /FAPI-CIBA 5\.2\.2-1 requires a signed authentication request/);
    });

    it('row 26 and hostile algorithms: RS256, HS256 and none request objects are 400 invalid_request', async () => {
      expectRefusal(await backchannel(serviceId, await signedRequest(pkjClient, rs256)), 400, 'invalid_request', /RS256 is not allowed: FAPI-CIBA 5\.2\.2 and FAPI 1\.0 Advanced 8\.6 allow only PS256 and ES256/);
      const hs256 = await new SignJWT(requestClaims(pkjClient)).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32).fill(1));
      expectRefusal(await backchannel(serviceId, { request: hs256, ...(await assertionParams(pkjClient)) }), 400, 'invalid_request', /not allowed/);
      const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(requestClaims(pkjClient))).toString('base64url')}.`;
      expectRefusal(await backchannel(serviceId, { request: none, ...(await assertionParams(pkjClient)) }), 400, 'invalid_request', /not allowed/);
      const ps384 = await signJwt({ ...ps256, alg: 'PS384' } as unknown as KeyPair, requestClaims(pkjClient));
      expectRefusal(await backchannel(serviceId, { request: ps384, ...(await assertionParams(pkjClient)) }), 400, 'invalid_request', /allow only PS256 and ES256/);
    });

    it('row 34: client_id alone is invalid_client; row 35: an RS256 client assertion is invalid_client naming the rule', async () => {
      const request = await signJwt(ps256, requestClaims(pkjClient));
      const bare = await backchannel(serviceId, { request, client_id: pkjClient });
      expectRefusal(bare, 401, 'invalid_client', /private_key_jwt requires a client_assertion/);
      const rs = await backchannel(serviceId, { request, ...(await assertionParams(pkjClient, rs256)) });
      expectRefusal(rs, 401, 'invalid_client', /client assertion algorithm is not allowed: FAPI-CIBA 5\.2\.2 and FAPI 1\.0 Advanced 8\.6 allow only PS256 and ES256/);
      // A MAC over the client's key material proves nothing (hostile input).
      const hs = await new SignJWT({ iss: pkjClient, sub: pkjClient, aud: issuer, jti: 'x1', iat: now(), exp: now() + 60 }).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32).fill(2));
      expectRefusal(await backchannel(serviceId, { request, client_id: pkjClient, client_assertion_type: jwtBearerType, client_assertion: hs }), 401, 'invalid_client', /not allowed/);
    });

    it('tls_client_auth over the API: a certificate chained to the trusted root authenticates; the request must still be signed', async () => {
      const request = await signJwt(ps256, requestClaims(tlsClient, { client_notification_token: randomBytes(16).toString('hex') }));
      // tls_client_auth clients need keys for request objects: register them.
      const current = await env.admin.call('GET', `/api/${serviceId}/client/get/${tlsClient}`);
      await env.admin.call('POST', `/api/${serviceId}/client/update/${tlsClient}`, { ...current, jwks: JSON.stringify({ keys: [ps256.publicJwk] }) });
      const accepted = await backchannel(serviceId, { request, client_id: tlsClient }, { clientCertificate: pki.directClient.cert });
      expect(accepted.body.action, JSON.stringify(accepted.body)).toBe('USER_IDENTIFICATION');
      const unsigned = await backchannel(serviceId, { scope: 'openid', login_hint: 'alice', client_id: tlsClient, client_notification_token: 'abc' }, { clientCertificate: pki.directClient.cert });
      expectRefusal(unsigned, 400, 'invalid_request', /FAPI-CIBA 5\.2\.2-1/);
      const forged = await backchannel(serviceId, { request: await signJwt(ps256, requestClaims(tlsClient)), client_id: tlsClient }, { clientCertificate: pki.forged.cert });
      expect(forged.oauth.error).toBe('invalid_client');
    });

    it('clients registered before the service turned FAPI: client_secret_basic, push and RS256 ID tokens are refused at the request', async () => {
      const plain = await env.admin.createService({ serviceName: 'turning fapi' });
      await env.admin.putUser(plain.serviceId, 'alice', {});
      const secret = await env.admin.createClient(plain.serviceId, { bcDeliveryMode: 'POLL' });
      const push = await env.admin.createClient(plain.serviceId, { ...pkjMembers(), bcDeliveryMode: 'PUSH', bcNotificationEndpoint: 'https://rp.example.com/cb' });
      const rsIdToken = await env.admin.createClient(plain.serviceId, { ...pkjMembers(), idTokenSignAlg: 'RS256' });
      const current = await env.admin.call('GET', `/api/${plain.serviceId}/service/get`);
      await env.admin.call('POST', `/api/${plain.serviceId}/service/update`, { ...current, ...FAPI });
      const signedFor = async (clientId: string) => ({ request: await signJwt(ps256, requestClaims(clientId, { aud: plain.issuer, client_notification_token: 'abcdef' })) });
      const asSecret = await api(`/api/${plain.serviceId}/backchannel/authentication`, { parameters: form(await signedFor(secret.clientId)), clientId: secret.clientId, clientSecret: secret.clientSecret });
      expectRefusal(asSecret, 401, 'invalid_client', /CLIENT_SECRET_BASIC is not allowed: FAPI 1\.0 Advanced 5\.2\.2-14/i);
      const asPush = await backchannel(plain.serviceId, { ...(await signedFor(push.clientId)), ...(await assertionParams(push.clientId, ps256, plain.issuer)) });
      expect(asPush.oauth?.error, JSON.stringify(asPush.body)).toBe('unauthorized_client');
      expect(asPush.oauth.error_description).toMatch(/FAPI-CIBA 5\.2\.2-3 does not allow the push delivery mode/);
      const asRs = await backchannel(plain.serviceId, { ...(await signedFor(rsIdToken.clientId)), ...(await assertionParams(rsIdToken.clientId, ps256, plain.issuer)) });
      expect(asRs.oauth?.error, JSON.stringify(asRs.body)).toBe('unauthorized_client');
      expect(asRs.oauth.error_description).toMatch(/ID token algorithm is not allowed: FAPI-CIBA/);
    });

    it('backchannelBindingMessageRequiredInFapi: no binding_message is 400 invalid_request naming it; with one it passes', async () => {
      const strict = await env.admin.createService({ serviceName: 'binding', ...FAPI, backchannelBindingMessageRequiredInFapi: true });
      await env.admin.putUser(strict.serviceId, 'alice', {});
      const client = (await env.admin.createClient(strict.serviceId, pkjMembers())).clientId;
      const claims = requestClaims(client, { aud: strict.issuer });
      delete (claims as Record<string, unknown>).binding_message;
      const assertion = { client_id: client, client_assertion_type: jwtBearerType, client_assertion: await clientAssertion(env, ps256, client, strict.issuer) };
      const missing = await backchannel(strict.serviceId, { request: await signJwt(ps256, claims), ...assertion });
      expectRefusal(missing, 400, 'invalid_request', /binding_message is missing: FAPI-CIBA 5\.2\.2-2.*backchannelBindingMessageRequiredInFapi/);
      const assertion2 = { ...assertion, client_assertion: await clientAssertion(env, ps256, client, strict.issuer) };
      const present = await backchannel(strict.serviceId, { request: await signJwt(ps256, { ...claims, jti: 'other', binding_message: 'W4SCT' }), ...assertion2 });
      expect(present.body.action, JSON.stringify(present.body)).toBe('USER_IDENTIFICATION');
    });

    it('a client asking for FAPI1_ADVANCED in its own fapiModes is held to the profile under a plain service', async () => {
      const plain = await env.admin.createService({ serviceName: 'plain' });
      expectRegistrationRefused(await createClient(plain.serviceId, { fapiModes: ['FAPI1_ADVANCED'] }), 'tokenAuthMethod', /FAPI/);
      const client = (await env.admin.createClient(plain.serviceId, { ...pkjMembers(), fapiModes: ['FAPI1_ADVANCED'] })).clientId;
      const assertion = { client_id: client, client_assertion_type: jwtBearerType, client_assertion: await clientAssertion(env, ps256, client, plain.issuer) };
      expectRefusal(await backchannel(plain.serviceId, { scope: 'openid', login_hint: 'alice', ...assertion }), 400, 'invalid_request', /FAPI-CIBA 5\.2\.2-1/);
      // The same client without fapiModes may send an unsigned request there.
      const free = (await env.admin.createClient(plain.serviceId, pkjMembers())).clientId;
      await env.admin.putUser(plain.serviceId, 'alice', {});
      const freeAssertion = { client_id: free, client_assertion_type: jwtBearerType, client_assertion: await clientAssertion(env, ps256, free, plain.issuer) };
      expect((await backchannel(plain.serviceId, { scope: 'openid', login_hint: 'alice', ...freeAssertion })).body.action).toBe('USER_IDENTIFICATION');
    });
  });

  describe('token endpoint', () => {
    const approved = async (clientId: string, extra: Record<string, unknown> = {}) => {
      const started = await backchannel(serviceId, await signedRequest(clientId), extra);
      expect(started.body.action, JSON.stringify(started.body)).toBe('USER_IDENTIFICATION');
      const issued = await api(`/api/${serviceId}/backchannel/authentication/issue`, { ticket: started.body.ticket });
      const done = await api(`/api/${serviceId}/backchannel/authentication/complete`, { ticket: started.body.ticket, result: 'AUTHORIZED', subject: 'alice' });
      expect(done.body.action, JSON.stringify(done.body)).toBe('NO_ACTION');
      return String(issued.body.authReqId);
    };

    it('row 33: client_id alone is invalid_client; row 36: an RS256 assertion is invalid_client', async () => {
      const authReqId = await approved(pkjClient);
      expectRefusal(await token(serviceId, { grant_type: CIBA_GRANT, auth_req_id: authReqId, client_id: pkjClient }, { clientCertificate: pki.directClient.cert }), 401, 'invalid_client', /client_assertion/);
      const rs = await token(serviceId, { grant_type: CIBA_GRANT, auth_req_id: authReqId, ...(await assertionParams(pkjClient, rs256)) }, { clientCertificate: pki.directClient.cert });
      expectRefusal(rs, 401, 'invalid_client', /allow only PS256 and ES256/);
    });

    it('row 45: neither a certificate nor a DPoP proof is 400 invalid_request naming sender-constrained tokens', async () => {
      const authReqId = await approved(pkjClient);
      const bare = await token(serviceId, { grant_type: CIBA_GRANT, auth_req_id: authReqId, ...(await assertionParams(pkjClient)) });
      expectRefusal(bare, 400, 'invalid_request', /FAPI 1\.0 Advanced 5\.2\.2-5 requires sender-constrained access tokens/);
      const garbage = await token(serviceId, { grant_type: CIBA_GRANT, auth_req_id: authReqId, ...(await assertionParams(pkjClient)) }, { clientCertificate: 'not a certificate' });
      expectRefusal(garbage, 400, 'invalid_request', /sender-constrained/);
      // Both refusals are in the audit trail, as the backchannel endpoint's FAPI refusals are.
      const refused = (await env.admin.call('GET', `/admin/services/${serviceId}/events?type=security.refused&clientId=${pkjClient}`)).events as { data: { rule: string; detail: string } }[];
      expect(refused.filter((e) => e.data.rule === 'fapi' && /sender-constrained/.test(e.data.detail))).toHaveLength(2);
    });

    it('a replayed DPoP proof is refused, and the refusal is in the audit trail; a nonce to use is not a refusal there', async () => {
      const service = await env.admin.call('GET', `/api/${serviceId}/service/get`);
      const htu = service.tokenEndpoint ?? `${issuer}/token`;
      const key = await dpopKey('ES256');
      const dpop = await proof(key, { htu: `${issuer}/token`, nowMs: env.clock.now() });
      const first = await token(serviceId, { grant_type: CIBA_GRANT, auth_req_id: await approved(pkjClient), ...(await assertionParams(pkjClient)) }, { dpop, htm: 'POST', htu });
      expect(first.body.action, JSON.stringify(first.body)).toBe('OK');
      const events = async () => ((await env.admin.call('GET', `/admin/services/${serviceId}/events?type=security.refused&clientId=${pkjClient}`)).events as { data: { rule: string; detail: string } }[]).filter((e) => e.data.rule === 'dpop');
      const before = (await events()).length;
      const replayed = await token(serviceId, { grant_type: CIBA_GRANT, auth_req_id: await approved(pkjClient), ...(await assertionParams(pkjClient)) }, { dpop, htm: 'POST', htu });
      expect(replayed.oauth?.error, JSON.stringify(replayed.body)).toBe('invalid_dpop_proof');
      expect((await events()).slice(before).map((e) => e.data.detail)).toEqual([expect.stringMatching(/The DPoP proof has been used before\.$/)]);
      // A nonce the service requires is the DPoP handshake (RFC 9449 §8): the client was not refused by a rule.
      const nonced = await token(serviceId, { grant_type: CIBA_GRANT, auth_req_id: await approved(pkjClient), ...(await assertionParams(pkjClient)) }, { dpop: await proof(key, { htu: `${issuer}/token`, nowMs: env.clock.now() }), htm: 'POST', htu, dpopNonceRequired: true });
      expect(nonced.oauth?.error, JSON.stringify(nonced.body)).toBe('use_dpop_nonce');
      expect((await events()).length).toBe(before + 1);
    });

    it('a presented certificate binds the tokens (x5t#S256), and the ID token is PS256', async () => {
      const authReqId = await approved(pkjClient);
      const answer = await token(serviceId, { grant_type: CIBA_GRANT, auth_req_id: authReqId, ...(await assertionParams(pkjClient)) }, { clientCertificate: pki.directClient.cert });
      expect(answer.body.action, JSON.stringify(answer.body)).toBe('OK');
      expect(answer.oauth.token_type).toBe('Bearer');
      expect(JSON.parse(Buffer.from(String(answer.oauth.id_token).split('.')[0]!, 'base64url').toString()).alg).toBe('PS256');
      const introspected = await api(`/api/${serviceId}/auth/introspection`, { token: answer.oauth.access_token, clientCertificate: pki.directClient.cert });
      expect(introspected.body.action, JSON.stringify(introspected.body)).toBe('OK');
      expect(introspected.body.certificateThumbprint).toBeTruthy();
      const without = await api(`/api/${serviceId}/auth/introspection`, { token: answer.oauth.access_token });
      expect(without.body.action).not.toBe('OK');
    });

    it('a DPoP proof binds the tokens instead (token_type DPoP)', async () => {
      const authReqId = await approved(pkjClient);
      const key = await dpopKey('ES256');
      const dpop = await proof(key, { htu: `${issuer}/token`, nowMs: env.clock.now() });
      const service = await env.admin.call('GET', `/api/${serviceId}/service/get`);
      const answer = await token(serviceId, { grant_type: CIBA_GRANT, auth_req_id: authReqId, ...(await assertionParams(pkjClient)) }, { dpop, htm: 'POST', htu: service.tokenEndpoint ?? `${issuer}/token` });
      expect(answer.body.action, JSON.stringify(answer.body)).toBe('OK');
      expect(answer.oauth.token_type).toBe('DPoP');
    });

    it('row 45 for tls_client_auth: no certificate at the token endpoint is invalid_client', async () => {
      const answer = await token(serviceId, { grant_type: CIBA_GRANT, auth_req_id: 'unknown', client_id: tlsClient });
      expect(answer.oauth.error).toBe('invalid_client');
      expect(answer.body.action).toBe('INVALID_CLIENT');
    });
  });

  it('discovery lists only what the profile accepts (conformance 4.2)', async () => {
    const metadata = await env.admin.call('GET', `/api/${serviceId}/service/configuration`);
    const fapiAlgs = (algs: string[]) => algs.length > 0 && algs.every((alg) => alg === 'PS256' || alg === 'ES256');
    expect(fapiAlgs(metadata.id_token_signing_alg_values_supported), JSON.stringify(metadata.id_token_signing_alg_values_supported)).toBe(true);
    expect(metadata.id_token_signing_alg_values_supported).toContain('PS256');
    expect(fapiAlgs(metadata.token_endpoint_auth_signing_alg_values_supported)).toBe(true);
    expect(fapiAlgs(metadata.request_object_signing_alg_values_supported)).toBe(true);
    expect(fapiAlgs(metadata.backchannel_authentication_request_signing_alg_values_supported)).toBe(true);
    for (const method of metadata.token_endpoint_auth_methods_supported ?? []) expect(method).not.toMatch(/^client_secret/);
    expect(metadata.backchannel_token_delivery_modes_supported).not.toContain('push');
    expect(metadata.tls_client_certificate_bound_access_tokens).toBe(true);
  });
});
