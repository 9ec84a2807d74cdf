/**
 * The conformance suite's checks on OP answers (§3 of conformance-ciba.md), as assertions.
 * Each function names the section it follows.
 */
import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { expect } from 'vitest';
import type { RawResponse } from '../support/http.js';
import type { ConformanceOp, PlanClient } from '../support/conformance-op.js';

/** §3.2/§3.3: error and error_description characters (%x20-21 / %x23-5B / %x5D-7E), error_uri a URI. */
export function expectErrorSyntax(body: Record<string, unknown>): void {
  expect(typeof body.error).toBe('string');
  expect(body.error).toMatch(/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
  if ('error_description' in body) {
    expect(typeof body.error_description).toBe('string');
    expect(body.error_description).toMatch(/^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/);
  }
  if ('error_uri' in body) {
    expect(body.error_uri).toMatch(/^[\x21\x23-\x5B\x5D-\x7E]+$/);
    expect(() => new URL(String(body.error_uri))).not.toThrow();
  }
}

const isJson = (answer: RawResponse) => /^application\/json(\s*;|$)/i.test(answer.headers.get('content-type') ?? '');

/** Every error answer of OpenCIBA: JSON object, no-store (our own standard, beyond §3.2). */
function expectErrorShape(answer: RawResponse): Record<string, unknown> {
  expect(isJson(answer)).toBe(true);
  expect(answer.headers.get('cache-control')).toContain('no-store');
  expect(typeof answer.json).toBe('object');
  expectErrorSyntax(answer.json);
  return answer.json;
}

/**
 * §3.2: a backchannel error; only error/error_description/error_uri; `allowed` maps each error the
 * module accepts to the statuses that may carry it.
 */
export function expectBackchannelError(answer: RawResponse, allowed: Record<string, number[]>): void {
  const body = expectErrorShape(answer);
  expect(Object.keys(body).every((name) => ['error', 'error_description', 'error_uri'].includes(name))).toBe(true);
  expect(Object.keys(allowed)).toContain(body.error);
  expect(allowed[String(body.error)]).toContain(answer.status);
}

export const INVALID_REQUEST = { invalid_request: [400] };
/** #32, #34, #35 (§3.2). */
export const CLIENT_AUTH_ERRORS = { access_denied: [403], invalid_request: [400], invalid_client: [400, 401] };

/** §3.3: a token-endpoint error; `allowed` as for the backchannel. */
export function expectTokenError(answer: RawResponse, allowed: Record<string, number[]>): void {
  const body = expectErrorShape(answer);
  expect(Object.keys(allowed)).toContain(body.error);
  expect(allowed[String(body.error)]).toContain(answer.status);
}

/** §3.3 "Pending". */
export const expectPending = (answer: RawResponse) => expectTokenError(answer, { authorization_pending: [400], slow_down: [400] });

/** The suite's Shannon-entropy estimate (bits per character × length). */
export function entropyBits(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let perChar = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * value.length;
}

function expectStrongToken(value: unknown): void {
  expect(typeof value).toBe('string');
  expect(Buffer.byteLength(String(value))).toBeGreaterThanOrEqual(16);
  expect(entropyBits(String(value))).toBeGreaterThan(96);
  expect(value).toMatch(/^[\x20-\x7E]+$/);
}

/** §3.1: the successful backchannel response. Returns auth_req_id and expires_in. */
export function expectBackchannelSuccess(answer: RawResponse): { authReqId: string; expiresIn: number; interval?: number } {
  expect(answer.status, answer.text).toBe(200);
  expect(isJson(answer)).toBe(true);
  const body = answer.json;
  expect(body.error).toBeUndefined();
  expect(body.auth_req_id).toMatch(/^[A-Za-z0-9\-_.]+$/);
  expect(Buffer.byteLength(body.auth_req_id)).toBeGreaterThanOrEqual(16);
  expect(entropyBits(body.auth_req_id)).toBeGreaterThan(160);
  expect(typeof body.expires_in).toBe('number');
  expect(body.expires_in).toBeGreaterThan(0);
  expect(body.expires_in).toBeLessThanOrEqual(30_758_400);
  if ('interval' in body) {
    expect(typeof body.interval).toBe('number');
    expect(body.interval).toBeGreaterThanOrEqual(0);
    expect(body.interval).toBeLessThanOrEqual(21_600);
  }
  return { authReqId: body.auth_req_id, expiresIn: body.expires_in, ...(typeof body.interval === 'number' ? { interval: body.interval } : {}) };
}

export interface Tokens {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  id_token: string;
  [name: string]: unknown;
}

/** §3.4: the successful token response (id_token required). */
export function expectTokenSuccess(answer: RawResponse): Tokens {
  expect(answer.status, answer.text).toBe(200);
  expect(answer.headers.get('cache-control')).toContain('no-store');
  expect(isJson(answer)).toBe(true);
  const body = answer.json;
  expect(body.error).toBeUndefined();
  expectStrongToken(body.access_token);
  expect(String(body.token_type).toLowerCase()).toBe('bearer');
  if ('expires_in' in body) {
    expect(typeof body.expires_in).toBe('number');
    expect(body.expires_in).toBeGreaterThan(0);
    expect(body.expires_in).toBeLessThanOrEqual(31_536_000);
  }
  if ('refresh_token' in body) expectStrongToken(body.refresh_token);
  expect(typeof body.id_token).toBe('string');
  return body as Tokens;
}

const halfHash = (value: string) => {
  const digest = createHash('sha256').update(value, 'ascii').digest();
  return digest.subarray(0, 16).toString('base64url');
};

/**
 * §3.5: the ID token, verified with the keys at the discovery's jwks_uri (fetched over TLS), at
 * the server's time. Returns its claims.
 */
export async function expectValidIdToken(op: ConformanceOp, client: PlanClient, tokens: Tokens, authReqId?: string): Promise<Record<string, any>> {
  const jwks = await op.call(op.metadata.jwks_uri, undefined);
  expect(jwks.status).toBe(200);
  const header = decodeProtectedHeader(tokens.id_token);
  expect(['PS256', 'ES256']).toContain(header.alg);
  expect(header.alg).toBe(client.key.alg);
  expect(typeof header.kid === 'string' && header.kid.length > 0).toBe(true);
  const { payload } = await jwtVerify(tokens.id_token, createLocalJWKSet({ keys: jwks.json.keys as JWK[] }), { currentDate: new Date(op.clock.now()) });
  const now = op.clock.now() / 1000;
  expect(payload.iss).toBe(op.metadata.issuer);
  expect(Array.isArray(payload.aud) ? payload.aud : [payload.aud]).toContain(client.clientId);
  expect(typeof payload.exp).toBe('number');
  expect(payload.exp!).toBeGreaterThan(now - 300);
  expect(payload.exp!).toBeLessThan(now + 50 * 365 * 86_400);
  expect(typeof payload.iat).toBe('number');
  expect(Math.abs(payload.iat! - now)).toBeLessThanOrEqual(300);
  if ('auth_time' in payload) {
    expect(payload.auth_time as number).toBeLessThanOrEqual(now + 300);
    expect(payload.auth_time as number).toBeGreaterThan(now - 365 * 86_400);
  }
  if ('acr' in payload) expect(payload.acr).not.toBe('');
  expect(payload.nonce).toBeUndefined();
  expect(payload.sub).toMatch(/^[\x20-\x7E]{1,255}$/);
  expect(payload.c_hash).toBeUndefined();
  expect(payload.s_hash).toBeUndefined();
  if ('at_hash' in payload) expect(payload.at_hash).toBe(halfHash(tokens.access_token));
  if ('urn:openid:params:jwt:claim:rt_hash' in payload) expect(payload['urn:openid:params:jwt:claim:rt_hash']).toBe(halfHash(String(tokens.refresh_token)));
  if (authReqId !== undefined && 'urn:openid:params:jwt:claim:auth_req_id' in payload) expect(payload['urn:openid:params:jwt:claim:auth_req_id']).toBe(authReqId);
  return payload as Record<string, any>;
}

/** §3.6: the ping the OP sent for `authReqId` (the only one for it). */
export function expectPing(op: ConformanceOp, client: PlanClient, authReqId: string, token = client.notificationToken): void {
  const pings = op.receiver.requests.filter((request) => request.body.includes(authReqId));
  expect(pings).toHaveLength(1);
  const [ping] = pings;
  expect(ping!.method).toBe('POST');
  expect(ping!.headers['content-type']).toMatch(/^application\/json/);
  expect(ping!.headers.authorization).toMatch(new RegExp(`^bearer +${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i'));
  expect(JSON.parse(ping!.body)).toEqual({ auth_req_id: authReqId });
}

/** RFC 8705 §3.1: x5t#S256 of a PEM certificate. */
export function thumbprint(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return createHash('sha256').update(der).digest('base64url');
}
