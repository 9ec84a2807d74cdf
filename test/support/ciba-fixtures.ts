/**
 * Shared set-up for the CIBA API tests under test/api/ciba: a real server on a ManualClock, the
 * official Authlete SDK pointed at it, and small helpers for services, clients, flows, raw
 * calls and ID token verification.
 */
import { Authlete } from '@authlete/typescript-sdk';
import type { ClientInput, ServiceInput } from '@authlete/typescript-sdk/models';
import { createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { randomBytes } from 'node:crypto';
import { adminApi, type AdminApi } from './admin-api.js';
import { bearer, request, type RawResponse } from './http.js';
import { ManualClock } from './clock.js';
import { startTestServer, type Dialect, type TestServer } from './test-server.js';

export const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';
/** A loopback notification endpoint (development mode allows loopback http); nothing listens there. */
export const NOTIFICATION_ENDPOINT = 'http://127.0.0.1:9/cb';

export interface CibaEnv {
  server: TestServer;
  sdk: Authlete;
  /** Services, clients and users, over the management API. */
  admin: AdminApi;
  clock: ManualClock;
  close(): Promise<void>;
}

export async function startCiba(options: { dialect?: Dialect } = {}): Promise<CibaEnv> {
  const clock = new ManualClock();
  const server = await startTestServer({ ...(options.dialect ? { dialect: options.dialect } : {}), clock });
  const sdk = new Authlete({ bearer: server.adminToken, serverURL: server.baseUrl });
  return { server, sdk, admin: adminApi(server.baseUrl, server.adminToken), clock, close: () => server.close() };
}

export interface TestService {
  serviceId: string;
  issuer: string;
  tokenEndpoint: string;
  backchannelEndpoint: string;
}

/**
 * Creates a service through the management API (test/support/admin-api.ts). `rawMembers` are
 * members the SDK's `ServiceInput` type does not know (e.g. `supportedAcrs`, which Authlete's
 * spec marks read-only).
 */
export async function newService(env: CibaEnv, overrides: ServiceInput = {}, rawMembers: Record<string, unknown> = {}): Promise<TestService> {
  const { serviceId, issuer, tokenEndpoint, backchannelEndpoint } = await env.admin.createService({ serviceName: 'ciba tests', ...overrides, ...rawMembers });
  return { serviceId, issuer, tokenEndpoint, backchannelEndpoint };
}

export interface TestClient {
  clientId: string;
  clientSecret: string;
  mode: 'POLL' | 'PING' | 'PUSH' | undefined;
}

/** A confidential client_secret_basic CIBA client; poll mode unless told otherwise. */
export async function newClient(env: CibaEnv, serviceId: string, overrides: ClientInput & { bcDeliveryMode?: string } = {}): Promise<TestClient> {
  const mode = 'bcDeliveryMode' in overrides ? overrides.bcDeliveryMode : 'POLL';
  const { clientId, clientSecret } = await env.admin.createClient(serviceId, {
    clientName: 'ciba test client',
    ...(mode ? { bcDeliveryMode: mode } : {}),
    ...(mode === 'PING' || mode === 'PUSH' ? { bcNotificationEndpoint: NOTIFICATION_ENDPOINT } : {}),
    ...overrides,
  });
  return { clientId, clientSecret, mode: mode as TestClient['mode'] };
}

export type DeliveryMode = 'POLL' | 'PING' | 'PUSH';

/** One client of each delivery mode in a service. */
export async function clientsPerMode(env: CibaEnv, serviceId: string): Promise<Record<DeliveryMode, TestClient>> {
  return {
    POLL: await newClient(env, serviceId, { bcDeliveryMode: 'POLL' }),
    PING: await newClient(env, serviceId, { bcDeliveryMode: 'PING' }),
    PUSH: await newClient(env, serviceId, { bcDeliveryMode: 'PUSH' }),
  };
}

export const form = (params: Record<string, string>): string => new URLSearchParams(params).toString();

/** The JSON inside a responseContent. */
export function content(response: { responseContent?: string | undefined }): Record<string, any> {
  expectDefined(response.responseContent, 'responseContent');
  return JSON.parse(response.responseContent) as Record<string, any>;
}

export function expectDefined<T>(value: T | undefined | null, what: string): asserts value is T {
  if (value === undefined || value === null) throw new Error(`${what} is missing`);
}

/** A client_notification_token in RFC 6750 b64token syntax. */
export const notificationToken = (length = 28): string => randomBytes(length).toString('base64url').slice(0, length);

/** /backchannel/authentication with client_secret_basic credentials. */
export function backchannel(env: CibaEnv, serviceId: string, client: TestClient, params: Record<string, string>) {
  return env.sdk.ciba.processAuthentication({
    serviceId,
    backchannelAuthenticationRequest: { parameters: form(params), clientId: client.clientId, clientSecret: client.clientSecret },
  });
}

/** Default authentication request parameters for a client's mode. */
export function defaultParams(client: TestClient, extra: Record<string, string> = {}): Record<string, string> {
  return {
    scope: 'openid',
    login_hint: 'alice',
    ...(client.mode === 'PING' || client.mode === 'PUSH' ? { client_notification_token: notificationToken() } : {}),
    ...extra,
  };
}

export interface Flow {
  ticket: string;
  authReqId: string;
  expiresIn: number;
  interval: number;
  notificationToken: string | undefined;
}

/** processAuthentication → issue; the ticket and the auth_req_id. */
export async function startFlow(env: CibaEnv, serviceId: string, client: TestClient, extra: Record<string, string> = {}): Promise<Flow> {
  const params = defaultParams(client, extra);
  const authn = await backchannel(env, serviceId, client, params);
  if (authn.action !== 'USER_IDENTIFICATION' || !authn.ticket) throw new Error(`backchannel authentication failed: ${authn.resultMessage}`);
  const issued = await env.sdk.ciba.issue({ serviceId, backchannelAuthenticationIssueRequest: { ticket: authn.ticket } });
  if (issued.action !== 'OK' || !issued.authReqId) throw new Error(`issue failed: ${issued.resultMessage}`);
  return {
    ticket: authn.ticket,
    authReqId: issued.authReqId,
    expiresIn: Number(issued.expiresIn),
    interval: Number(issued.interval),
    notificationToken: params.client_notification_token,
  };
}

export function complete(
  env: CibaEnv,
  serviceId: string,
  ticket: string,
  result: 'AUTHORIZED' | 'ACCESS_DENIED' | 'TRANSACTION_FAILED',
  extra: Record<string, unknown> = {},
) {
  return env.sdk.ciba.complete({
    serviceId,
    backchannelAuthenticationCompleteRequest: { ticket, result, subject: result === 'AUTHORIZED' ? 'alice-subject' : '', ...extra },
  });
}

/** /auth/token for the CIBA grant (or any parameters) with client_secret_basic credentials. */
export function tokenRequest(env: CibaEnv, serviceId: string, client: TestClient, params: Record<string, string>) {
  return env.sdk.token.process({ serviceId, tokenRequest: { parameters: form(params), clientId: client.clientId, clientSecret: client.clientSecret } });
}

export const pollToken = (env: CibaEnv, serviceId: string, client: TestClient, authReqId: string) =>
  tokenRequest(env, serviceId, client, { grant_type: CIBA_GRANT, auth_req_id: authReqId });

/** A full poll flow: approved and redeemed. */
export async function approvedTokens(env: CibaEnv, serviceId: string, client: TestClient, completeExtra: Record<string, unknown> = {}, params: Record<string, string> = {}) {
  const flow = await startFlow(env, serviceId, client, params);
  const done = await complete(env, serviceId, flow.ticket, 'AUTHORIZED', completeExtra);
  if (done.action !== 'NO_ACTION') throw new Error(`complete failed: ${done.resultMessage}`);
  const tokens = await pollToken(env, serviceId, client, flow.authReqId);
  if (tokens.action !== 'OK') throw new Error(`token failed: ${tokens.resultMessage}`);
  return { flow, tokens, body: content(tokens) };
}

/** A raw JSON (or other) POST to the API with the admin token. */
export function rawPost(env: CibaEnv, path: string, body: unknown, contentType = 'application/json'): Promise<RawResponse> {
  return request(`${env.server.baseUrl}${path}`, {
    method: 'POST',
    headers: { ...bearer(env.server.adminToken), 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Every key of every object in a JSON value, and whether any value is null. */
export function containsNull(value: unknown): boolean {
  if (value === null) return true;
  if (Array.isArray(value)) return value.some(containsNull);
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).some(containsNull);
  return false;
}

/** Verifies an ID token against the service's published JWK Set, at the server's (manual) time. */
export async function verifyIdToken(
  env: CibaEnv,
  serviceId: string,
  idToken: string,
  expected: { issuer: string; audience: string },
): Promise<{ payload: JWTPayload & Record<string, unknown>; header: ProtectedHeaderParameters }> {
  const jwks = await env.sdk.jwkSetEndpoint.serviceJwksGetApi({ serviceId });
  const set = createLocalJWKSet({ keys: (jwks.keys ?? []) as JWK[] });
  const { payload, protectedHeader } = await jwtVerify(idToken, set, {
    issuer: expected.issuer,
    audience: expected.audience,
    currentDate: new Date(env.clock.now()),
  });
  return { payload: payload as JWTPayload & Record<string, unknown>, header: protectedHeader };
}

export const idTokenHeader = (idToken: string) => decodeProtectedHeader(idToken);

/** An asymmetric key pair as JWKs with a kid: the public one for registration, the private one for signing. */
export async function keyPair(alg: 'PS256' | 'RS256' | 'ES256', kid = `${alg.toLowerCase()}-${randomBytes(4).toString('hex')}`) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'PS256' || alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg };
  return { kid, alg, publicJwk, privateJwk };
}

export type KeyPair = Awaited<ReturnType<typeof keyPair>>;

export async function signJwt(key: KeyPair, payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(await importJWK(key.privateJwk, key.alg));
}

/** A private_key_jwt client assertion, times taken from the server's clock. */
export function clientAssertion(env: CibaEnv, key: KeyPair, clientId: string, audience: string): Promise<string> {
  const now = Math.floor(env.clock.now() / 1000);
  return signJwt(key, { iss: clientId, sub: clientId, aud: audience, jti: randomBytes(12).toString('hex'), iat: now, nbf: now, exp: now + 60 });
}

export const jwtBearerType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Base64url left half of SHA-256 (OIDC at_hash for *256 algorithms). */
export async function halfHash(value: string, hash: 'sha256' | 'sha512' = 'sha256'): Promise<string> {
  const { createHash } = await import('node:crypto');
  const digest = createHash(hash).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
