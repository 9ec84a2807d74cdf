import type { EngineContext } from '../context.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { constantTimeEqual } from '../../lib/keyring.js';

/** Who is calling the API: the organization (everything) or one service. */
/**
 * Who called the API. `tokenId` names a stored token by the start of its keyed digest (nothing of
 * the token itself), for the audit trail's `actor`; the configured OPENCIBA_ADMIN_TOKEN has none.
 */
export type ApiCaller = { kind: 'organization'; tokenId?: string } | { kind: 'service'; serviceId: number; tokenId: string };

/** Bearer tokens for the API are 256-bit random values, stored only as keyed digests. */
const API_TOKEN_BYTES = 32;

export function bearerTokenOf(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(authorization);
  return match?.[1];
}

/**
 * Identifies the caller from the Authorization header. `configuredOrgToken` is
 * OPENCIBA_ADMIN_TOKEN when set; otherwise the generated one is known by its digest.
 */
export async function identifyApiCaller(
  ctx: EngineContext,
  authorization: string | undefined,
  configuredOrgToken: string | undefined,
): Promise<ApiCaller | ApiError> {
  if (authorization === undefined || authorization.trim() === '') return apiErrors.missingAuthorization();
  const token = bearerTokenOf(authorization);
  if (!token || token.length > 512) return apiErrors.invalidToken();
  if (configuredOrgToken !== undefined && constantTimeEqual(token, configuredOrgToken)) return { kind: 'organization' };
  // The digest lookup is an equality on a keyed hash, so timing reveals nothing about the token.
  const digest = ctx.keyring.digest(token);
  const record = await ctx.store.findApiToken(digest);
  if (!record) return apiErrors.invalidToken();
  const tokenId = digest.slice(0, TOKEN_ID_LENGTH);
  // A configured OPENCIBA_ADMIN_TOKEN replaces any organization token generated earlier.
  if (record.serviceId === null && configuredOrgToken !== undefined) return apiErrors.invalidToken();
  return record.serviceId === null ? { kind: 'organization', tokenId } : { kind: 'service', serviceId: record.serviceId, tokenId };
}

/** Characters of a token's digest that name it in the audit trail: enough to tell tokens apart. */
const TOKEN_ID_LENGTH = 16;

/** The audit trail's `actor` for a caller: `organization`, `organization:<token id>` or `service-token:<token id>`. */
export function actorOf(caller: ApiCaller | undefined): string {
  if (!caller) return 'unknown';
  if (caller.kind === 'service') return `service-token:${caller.tokenId}`;
  return caller.tokenId ? `organization:${caller.tokenId}` : 'organization';
}

/** May this caller act on this service? */
export function authorizeForService(caller: ApiCaller, serviceId: number): ApiError | undefined {
  if (caller.kind === 'organization' || caller.serviceId === serviceId) return undefined;
  return apiErrors.forbidden(`The access token is not allowed to act on the service (API key = ${serviceId}).`);
}

export function requireOrganization(caller: ApiCaller): ApiError | undefined {
  return caller.kind === 'organization' ? undefined : apiErrors.forbidden('This operation needs the organization token.');
}

export async function createServiceAccessToken(ctx: EngineContext, serviceId: number, description?: string): Promise<string | ApiError> {
  if (!(await ctx.store.getService(serviceId))) return apiErrors.serviceNotFound(String(serviceId));
  const token = ctx.random.token(API_TOKEN_BYTES);
  await ctx.store.addApiToken(ctx.keyring.digest(token), serviceId, description ?? null, ctx.clock.now());
  return token;
}

/**
 * On first start without OPENCIBA_ADMIN_TOKEN, makes the organization token. Returns it so
 * that it can be printed once; it is stored only as a digest.
 */
export async function ensureOrganizationToken(ctx: EngineContext, configuredOrgToken: string | undefined): Promise<string | undefined> {
  if (configuredOrgToken !== undefined) return undefined;
  if (await ctx.store.hasOrganizationToken()) return undefined;
  const token = ctx.random.token(API_TOKEN_BYTES);
  await ctx.store.addApiToken(ctx.keyring.digest(token), null, 'organization token', ctx.clock.now());
  return token;
}

/** Revokes an API token given its value (a service's own, or any with `serviceId` undefined). */
export async function revokeApiToken(ctx: EngineContext, token: string, serviceId?: number): Promise<undefined | ApiError> {
  const revoked = await ctx.store.deleteApiToken(ctx.keyring.digest(token), serviceId);
  return revoked ? undefined : apiErrors.notFound('No such access token.');
}
