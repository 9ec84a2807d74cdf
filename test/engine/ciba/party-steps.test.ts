import { importJWK, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkGrantAndDeliveryMode } from '../../../src/engine/ciba/steps/check-grant-and-delivery-mode.js';
import { checkScopes } from '../../../src/engine/ciba/steps/check-scopes.js';
import { checkUserCode } from '../../../src/engine/ciba/steps/check-user-code.js';
import { filterAcrValues } from '../../../src/engine/ciba/steps/filter-acr-values.js';
import { checkAuthorizationDetailsTypes } from '../../../src/engine/ciba/steps/check-authorization-details-types.js';
import { resolveRequestObject } from '../../../src/engine/ciba/steps/resolve-request-object.js';
import { verifyIdTokenHint } from '../../../src/engine/ciba/steps/verify-id-token-hint.js';
import type { EngineContext } from '../../../src/engine/context.js';
import { generateServiceJwks, type JwkSet } from '../../../src/engine/keys/service-keys.js';
import type { ClientParty, ServiceParty } from '../../../src/engine/protocol/parties.js';
import { expectRefusal } from './expect-refusal.js';

// The CIBA steps that read the service's and the client's settings. Parties are plain values
// here: the steps read `data`, the ids and the issuer, nothing else.

const ISSUER = 'https://as.example.com';

function service(data: Record<string, unknown>, jwks?: JwkSet): ServiceParty {
  return { record: { apiKey: 1 }, data, jwks, publishedJwks: jwks, issuer: ISSUER } as unknown as ServiceParty;
}

function client(data: Record<string, unknown>, clientIdAlias = '7'): ClientParty {
  return { record: { clientId: 7 }, data, auth: { clientId: 7, clientIdAlias } } as unknown as ClientParty;
}

describe('checkGrantAndDeliveryMode', () => {
  const cibaService = service({ supportedGrantTypes: ['CIBA'], supportedBackchannelTokenDeliveryModes: ['POLL', 'PING', 'PUSH'] });

  it("answers the client's delivery mode", () => {
    expect(checkGrantAndDeliveryMode(cibaService, client({ grantTypes: ['CIBA'], bcDeliveryMode: 'POLL' }))).toBe('POLL');
    expect(checkGrantAndDeliveryMode(cibaService, client({ grantTypes: ['CIBA'], bcDeliveryMode: 'PING', bcNotificationEndpoint: 'https://c.example.com/cb' }))).toBe('PING');
  });

  it('refuses a client or a service without the CIBA grant', () => {
    const text = 'The client application is not allowed to use the CIBA grant type.';
    expectRefusal(checkGrantAndDeliveryMode(cibaService, client({ grantTypes: ['REFRESH_TOKEN'], bcDeliveryMode: 'POLL' })), 'unauthorized_client', 'A169302', text);
    expectRefusal(checkGrantAndDeliveryMode(cibaService, client({ grantTypes: 'CIBA', bcDeliveryMode: 'POLL' })), 'unauthorized_client', 'A169302', text);
    expectRefusal(checkGrantAndDeliveryMode(service({ supportedGrantTypes: [] }), client({ grantTypes: ['CIBA'], bcDeliveryMode: 'POLL' })), 'unauthorized_client', 'A169302', text);
  });

  it('refuses a missing or unknown mode, a mode the service does not support, and ping or push without an endpoint', () => {
    for (const mode of [undefined, 'poll', 'SMS']) {
      expectRefusal(checkGrantAndDeliveryMode(cibaService, client({ grantTypes: ['CIBA'], bcDeliveryMode: mode })), 'unauthorized_client', 'A169301', 'The backchannel token delivery mode of the client application is not set.');
    }
    expectRefusal(
      checkGrantAndDeliveryMode(service({ supportedGrantTypes: ['CIBA'], supportedBackchannelTokenDeliveryModes: ['POLL'] }), client({ grantTypes: ['CIBA'], bcDeliveryMode: 'PUSH', bcNotificationEndpoint: 'https://c.example.com/cb' })),
      'unauthorized_client',
      'A169303',
      'The backchannel token delivery mode of the client application is not supported by the service.',
    );
    for (const endpoint of [undefined, '']) {
      expectRefusal(checkGrantAndDeliveryMode(cibaService, client({ grantTypes: ['CIBA'], bcDeliveryMode: 'PING', bcNotificationEndpoint: endpoint })), 'unauthorized_client', 'A169304', 'The client application has no backchannel client notification endpoint.');
    }
  });
});

describe('checkScopes', () => {
  const missingOpenid = "The 'scope' request parameter must include 'openid'.";

  it("lists the service's scope objects in request order, once each, with the standard claims they ask for", () => {
    const s = service({ supportedScopes: [{ name: 'openid' }, { name: 'email', description: 'Mail' }, 'profile'] });
    const checked = checkScopes(s, client({}), 'email  openid email');
    expect(checked).toEqual({ names: ['email', 'openid'], scopes: [{ name: 'email', description: 'Mail' }, { name: 'openid' }], claimNames: ['email', 'email_verified'] });
  });

  it('takes any scope when the service lists none', () => {
    expect(checkScopes(service({}), client({}), 'openid phone custom')).toEqual({
      names: ['openid', 'phone', 'custom'],
      scopes: [{ name: 'openid' }, { name: 'phone' }, { name: 'custom' }],
      claimNames: ['phone_number', 'phone_number_verified'],
    });
  });

  it("refuses a scope without 'openid' (or none at all) and a scope the service does not support, its name cut at 64 characters", () => {
    expectRefusal(checkScopes(service({}), client({}), undefined), 'invalid_scope', 'A169306', missingOpenid);
    expectRefusal(checkScopes(service({}), client({}), 'profile email'), 'invalid_scope', 'A169306', missingOpenid);
    expectRefusal(checkScopes(service({}), client({}), 'OPENID'), 'invalid_scope', 'A169306', missingOpenid);
    const s = service({ supportedScopes: ['openid'] });
    expectRefusal(checkScopes(s, client({}), 'openid email'), 'invalid_scope', 'A169307', "The scope 'email' is not supported.");
    expectRefusal(checkScopes(s, client({}), `openid ${'s'.repeat(100)}`), 'invalid_scope', 'A169307', `The scope '${'s'.repeat(64)}...' is not supported.`);
  });
});

describe('checkScopes: requestable scopes and supported claims (issue 12 finding 1)', () => {
  const requestable = (scopes: unknown, enabled: unknown = true) => client({ extension: { requestableScopesEnabled: enabled, requestableScopes: scopes } });

  it("refuses a scope outside the client's requestableScopes once requestableScopesEnabled is true", () => {
    const text = "The scope 'email' is not requestable by the client.";
    expectRefusal(checkScopes(service({}), requestable(['openid']), 'openid email phone address'), 'invalid_scope', 'A169321', text);
    // An empty list or a malformed one makes no scope requestable: openid too.
    expectRefusal(checkScopes(service({}), requestable([]), 'openid'), 'invalid_scope', 'A169321', "The scope 'openid' is not requestable by the client.");
    expectRefusal(checkScopes(service({}), requestable('openid'), 'openid'), 'invalid_scope', 'A169321', "The scope 'openid' is not requestable by the client.");
    expect(checkScopes(service({}), requestable(['openid', 'email']), 'openid email')).toMatchObject({ names: ['openid', 'email'] });
  });

  it('ignores requestableScopes while requestableScopesEnabled is not true', () => {
    for (const enabled of [false, 'true']) {
      expect(checkScopes(service({}), requestable(['openid'], enabled), 'openid email')).toMatchObject({ names: ['openid', 'email'] });
    }
    expect(checkScopes(service({}), client({ extension: { requestableScopes: ['openid'] } }), 'openid email')).toMatchObject({ names: ['openid', 'email'] });
  });

  it("asks only for the claims the service's supportedClaims lists", () => {
    expect(checkScopes(service({ supportedClaims: ['sub', 'email'] }), client({}), 'openid email phone')).toMatchObject({ claimNames: ['email'] });
    expect(checkScopes(service({ supportedClaims: [] }), client({}), 'openid email')).toMatchObject({ claimNames: [] });
  });
});

describe('checkUserCode', () => {
  const supported = service({ backchannelUserCodeParameterSupported: true });

  it('is required only when the service supports it and the client asks for it', () => {
    expect(checkUserCode(supported, client({ bcUserCodeRequired: true }), '1234')).toEqual({ userCodeRequired: true, userCode: '1234' });
    expect(checkUserCode(supported, client({}), undefined)).toEqual({ userCodeRequired: false });
    expect(checkUserCode(service({}), client({ bcUserCodeRequired: true }), undefined)).toEqual({ userCodeRequired: false });
    expect(checkUserCode(service({}), client({}), '')).toEqual({ userCodeRequired: false });
    for (const missing of [undefined, '']) {
      expectRefusal(checkUserCode(supported, client({ bcUserCodeRequired: true }), missing), 'missing_user_code', 'A169314', "The 'user_code' request parameter is required.");
    }
  });

  it('keeps 256 characters of a longer code and refuses a non-string', () => {
    expect(checkUserCode(service({}), client({}), 'c'.repeat(300))).toEqual({ userCodeRequired: false, userCode: 'c'.repeat(256) });
    expectRefusal(checkUserCode(service({}), client({}), ['1', '2']), 'invalid_request', 'A169305', "The 'user_code' must be a string.");
  });
});

describe('filterAcrValues', () => {
  const s = service({ supportedAcrs: ['urn:acr:1', 'urn:acr:2'] });

  it('keeps the supported values in request order, once each, and nothing else', () => {
    expect(filterAcrValues(s, 'urn:acr:2 urn:other  urn:acr:1 urn:acr:2')).toEqual(['urn:acr:2', 'urn:acr:1']);
    expect(filterAcrValues(s, 'urn:other')).toBeUndefined();
    expect(filterAcrValues(s, '')).toBeUndefined();
    expect(filterAcrValues(s, ['urn:acr:1'])).toBeUndefined();
    expect(filterAcrValues(service({}), 'urn:acr:1')).toBeUndefined();
  });

  it("takes the client's defaultAcrs, filtered, when the request has no acr_values (issue 12 finding 1)", () => {
    const withDefaults = client({ defaultAcrs: ['urn:other', 'urn:acr:2'] });
    expect(filterAcrValues(s, undefined, withDefaults)).toEqual(['urn:acr:2']);
    expect(filterAcrValues(s, '', withDefaults)).toEqual(['urn:acr:2']);
    expect(filterAcrValues(s, 'urn:acr:1', withDefaults)).toEqual(['urn:acr:1']);
    expect(filterAcrValues(s, undefined, client({ defaultAcrs: 'urn:acr:1' }))).toBeUndefined();
  });
});

describe('checkAuthorizationDetailsTypes (issue 12 finding 1)', () => {
  const details = (...types: string[]) => ({ elements: types.map((type) => ({ type })) });

  it("refuses a type outside the service's supportedAuthorizationDetailsTypes or the client's authorizationDetailsTypes", () => {
    const s = service({ supportedAuthorizationDetailsTypes: ['payment_initiation', 'account_information'] });
    expectRefusal(checkAuthorizationDetailsTypes(s, client({}), details('payment_initiation', 'other')), 'invalid_authorization_details', 'A169316', "The authorization details type 'other' is one the service does not support.");
    expectRefusal(
      checkAuthorizationDetailsTypes(s, client({ authorizationDetailsTypes: ['account_information'] }), details('payment_initiation')),
      'invalid_authorization_details',
      'A169316',
      "The authorization details type 'payment_initiation' is one the client may not use.",
    );
    expect(checkAuthorizationDetailsTypes(s, client({ authorizationDetailsTypes: ['payment_initiation'] }), details('payment_initiation'))).toBeUndefined();
  });

  it('restricts nothing with empty or absent lists, or without authorization_details', () => {
    expect(checkAuthorizationDetailsTypes(service({}), client({}), details('anything'))).toBeUndefined();
    expect(checkAuthorizationDetailsTypes(service({ supportedAuthorizationDetailsTypes: [] }), client({ authorizationDetailsTypes: [] }), details('x'))).toBeUndefined();
    expect(checkAuthorizationDetailsTypes(service({ supportedAuthorizationDetailsTypes: ['a'] }), client({}), undefined)).toBeUndefined();
  });
});

describe('verifyIdTokenHint', () => {
  let jwks: JwkSet;
  let otherJwks: JwkSet;
  const cibaClient = client({}, 'my-app');

  beforeAll(async () => {
    [jwks, otherJwks] = await Promise.all([generateServiceJwks(), generateServiceJwks()]);
  });

  async function idToken(claims: Record<string, unknown>, keys = jwks, alg = 'ES256'): Promise<string> {
    const jwk = keys.keys.find((k) => k.alg === alg) as JWK;
    return new SignJWT(claims).setProtectedHeader({ alg, kid: jwk.kid! }).sign(await importJWK(jwk, alg));
  }

  it("answers the `sub` of an ID token this service issued to this client (by id or alias), expired or not", async () => {
    expect(await verifyIdTokenHint(await idToken({ iss: ISSUER, aud: '7', sub: 'alice' }), service({}, jwks), cibaClient)).toBe('alice');
    expect(await verifyIdTokenHint(await idToken({ iss: ISSUER, aud: ['x', 'my-app'], sub: 'bob', exp: 1 }, jwks, 'RS256'), service({}, jwks), cibaClient)).toBe('bob');
  });

  it('refuses without service keys, with a foreign or unsigned token, or with the wrong issuer, audience or no subject', async () => {
    const refused = async (hint: string, detail: string) =>
      expectRefusal(await verifyIdTokenHint(hint, service({}, jwks), cibaClient), 'invalid_request', 'A169310', detail);
    const good = { iss: ISSUER, aud: '7', sub: 'alice' };
    expectRefusal(await verifyIdTokenHint(await idToken(good), service({}), cibaClient), 'invalid_request', 'A169310', 'The service has no keys to verify the id_token_hint with.');
    await refused(await idToken(good, otherJwks), "The signature of the 'id_token_hint' cannot be verified with this service's keys.");
    await refused('not-a-jwt', "The signature of the 'id_token_hint' cannot be verified with this service's keys.");
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(good)).toString('base64url')}.`;
    await refused(unsigned, 'The id_token_hint is not signed by this service.');
    const hs256 = await new SignJWT(good).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32));
    await refused(hs256, 'The id_token_hint is not signed by this service.');
    await refused(await idToken({ ...good, iss: 'https://elsewhere.example.com' }), "The 'iss' of the id_token_hint is not this service.");
    await refused(await idToken({ ...good, aud: ['8', 'other'] }), 'The id_token_hint was issued to another client.');
    await refused(await idToken({ iss: ISSUER, aud: '7' }), "The id_token_hint has no 'sub'.");
    await refused(await idToken({ ...good, sub: '' }), "The id_token_hint has no 'sub'.");
  });
});

// Without a `request` parameter the step reads nothing but the client's settings; verifying a
// request object needs the engine (keys, the jti store, the clock) and is tested in
// test/engine/request-object.test.ts and test/api/ciba/request-object.test.ts.
describe('resolveRequestObject without a request object', () => {
  const unused = {} as EngineContext;

  it('answers the form itself as the request', async () => {
    const form = new Map([['scope', 'openid'], ['login_hint', 'alice']]);
    expect(await resolveRequestObject(unused, service({}), client({}), form)).toEqual({ parameters: form });
    const empty = new Map([['request', '']]);
    expect(await resolveRequestObject(unused, service({}), client({}), empty)).toEqual({ parameters: empty });
  });

  it('refuses a form when the client registered a request signing algorithm, and a repeated request', async () => {
    expectRefusal(
      await resolveRequestObject(unused, service({}), client({ bcRequestSignAlg: 'PS256' }), new Map([['login_hint', 'alice']])),
      'invalid_request',
      'A169317',
      "The client must send its request as a signed request object ('request').",
    );
    expectRefusal(await resolveRequestObject(unused, service({}), client({}), new Map([['request', ['a', 'b']]])), 'invalid_request', 'A169318', 'The request object is invalid.');
  });

  it("refuses a form when the service's or the client's requestObjectRequired is true (issue 12 finding 1)", async () => {
    const form = new Map([['login_hint', 'alice']]);
    const text = "The client must send its request as a signed request object ('request').";
    expectRefusal(await resolveRequestObject(unused, service({ requestObjectRequired: true }), client({}), form), 'invalid_request', 'A169317', text);
    expectRefusal(await resolveRequestObject(unused, service({}), client({ requestObjectRequired: true }), form), 'invalid_request', 'A169317', text);
    expect(await resolveRequestObject(unused, service({ requestObjectRequired: false }), client({ requestObjectRequired: false }), form)).toEqual({ parameters: form });
  });
});
