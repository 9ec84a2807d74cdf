import type { EngineContext } from '../context.js';
import { apiErrors, isApiError, type ApiError } from '../api-error.js';
import { generateServiceJwks, hasPrivateMembers, publicJwks, type JwkSet } from '../keys/service-keys.js';
import type { ServiceRecord } from '../../store/ports.js';
import { pickMembers, writableMembers } from '../../wire/schemas.js';
import { withoutNulls } from '../../lib/json.js';
import { forgetService } from '../cache/party-caches.js';
import { openServiceJwks, openStoredKeySet } from '../keys/service-key-set.js';
import { applyServiceDefaults } from './service-defaults.js';
import { hasSigningKeys, parseServiceJwks, validateService } from './validate-service.js';

// Authlete's OpenAPI marks `supportedAcrs` read-only, yet services set it (reference §3, §12).
const SERVICE_MEMBERS = [...writableMembers('service').filter((m) => m !== 'jwks'), 'supportedAcrs'];

/** Service ids are 12-digit numbers: unguessable enough for a path, exact as JSON numbers. */
const SERVICE_ID_DIGITS = 12;

export type ServiceView = Record<string, unknown> & { apiKey: number; number: number };

export function serviceBaseUrl(ctx: EngineContext, apiKey: number): string {
  return `${ctx.publicUrl}/s/${apiKey}`;
}

export function viewOfService(record: ServiceRecord, jwks: JwkSet | undefined): ServiceView {
  return withoutNulls({
    ...record.data,
    apiKey: record.apiKey,
    number: record.number,
    createdAt: record.createdAt,
    modifiedAt: record.modifiedAt,
    // The private keys never leave through service/get; see service/jwks/get.
    ...(jwks ? { jwks: JSON.stringify(publicJwks(jwks)) } : {}),
  });
}

export async function createService(ctx: EngineContext, input: Record<string, unknown>): Promise<ServiceView | ApiError> {
  const apiKey = ctx.random.numericId(SERVICE_ID_DIGITS);
  const data = applyServiceDefaults(pickMembers(input, SERVICE_MEMBERS), serviceBaseUrl(ctx, apiKey));
  const invalid = validateService(data, ctx.mode);
  if (invalid) return invalid;

  let jwks: JwkSet;
  if (input.jwks !== undefined && input.jwks !== null && input.jwks !== '') {
    const parsed = parseServiceJwks(input.jwks);
    if (isApiError(parsed)) return parsed;
    if (!hasSigningKeys(parsed)) return apiErrors.badRequest("'jwks' must hold the private parts of the service's signing keys.");
    jwks = parsed;
  } else {
    jwks = await generateServiceJwks();
  }

  const now = ctx.clock.now();
  const record: ServiceRecord = {
    apiKey,
    number: await ctx.store.nextNumber('service'),
    data,
    jwksSealed: ctx.keyring.seal(JSON.stringify(jwks)),
    createdAt: now,
    modifiedAt: now,
  };
  await ctx.store.createService(record);
  return viewOfService(record, jwks);
}

export async function getService(ctx: EngineContext, apiKey: number): Promise<ServiceView | ApiError> {
  const record = await ctx.store.getService(apiKey);
  if (!record) return apiErrors.serviceNotFound(String(apiKey));
  return viewOfService(record, openServiceJwks(ctx, record));
}

export interface ServiceList {
  start: number;
  end: number;
  totalCount: number;
  services: ServiceView[];
}

export async function listServices(ctx: EngineContext, start: number, end: number, onlyApiKey?: number): Promise<ServiceList> {
  const page = await ctx.store.listServices(start, end, onlyApiKey);
  return { start, end, totalCount: page.totalCount, services: page.items.map((r) => viewOfService(r, openServiceJwks(ctx, r))) };
}

/**
 * Replaces the writable members (Authlete's SDKs send the whole object back, read-modify-write).
 * A `jwks` without private parts whose keys all exist already is the public view coming back
 * and keeps the stored keys; a `jwks` with private parts replaces them.
 */
export async function updateService(ctx: EngineContext, apiKey: number, input: Record<string, unknown>): Promise<ServiceView | ApiError> {
  const record = await ctx.store.getService(apiKey);
  if (!record) return apiErrors.serviceNotFound(String(apiKey));
  const current = openServiceJwks(ctx, record);

  const data = applyServiceDefaults(pickMembers(input, SERVICE_MEMBERS), serviceBaseUrl(ctx, apiKey));
  const invalid = validateService(data, ctx.mode);
  if (invalid) return invalid;

  // Unless replaced, the stored key set is left as it is: its rotation schedule included.
  let jwks = current;
  let jwksSealed: string | null | undefined;
  if (typeof input.jwks === 'string' && input.jwks !== '') {
    const parsed = parseServiceJwks(input.jwks);
    if (isApiError(parsed)) return parsed;
    const anyPrivate = parsed.keys.some(hasPrivateMembers);
    if (anyPrivate) {
      if (!hasSigningKeys(parsed)) return apiErrors.badRequest("'jwks' must hold the private parts of the service's signing keys.");
      // A key set given by hand replaces a rotation in progress: every key in it is current.
      jwks = parsed;
      jwksSealed = ctx.keyring.seal(JSON.stringify({ keys: parsed.keys }));
    } else {
      // Every stored key counts, so that a view read just before a key retired can still come back.
      const known = new Set((openStoredKeySet(ctx, record)?.keys ?? []).map((k) => k.kid));
      if (!parsed.keys.every((k) => typeof k.kid === 'string' && known.has(k.kid))) {
        return apiErrors.badRequest("'jwks' without private keys can only repeat the service's current keys.");
      }
    }
  }

  const modifiedAt = ctx.clock.now();
  const updated = await ctx.store.updateService(apiKey, data, jwksSealed, modifiedAt);
  forgetService(ctx.store, apiKey);
  if (!updated) return apiErrors.serviceNotFound(String(apiKey));
  return viewOfService({ ...record, data, jwksSealed: jwksSealed ?? record.jwksSealed, modifiedAt }, jwks);
}

export async function deleteService(ctx: EngineContext, apiKey: number): Promise<undefined | ApiError> {
  const deleted = await ctx.store.deleteService(apiKey);
  forgetService(ctx.store, apiKey);
  return deleted ? undefined : apiErrors.serviceNotFound(String(apiKey));
}

/** `service/jwks/get`: public keys, or the private set when asked and allowed. */
export async function getServiceJwks(ctx: EngineContext, apiKey: number, includePrivateKeys: boolean): Promise<JwkSet | undefined | ApiError> {
  const record = await ctx.store.getService(apiKey);
  if (!record) return apiErrors.serviceNotFound(String(apiKey));
  const jwks = openServiceJwks(ctx, record);
  if (!jwks) return undefined;
  return includePrivateKeys ? jwks : publicJwks(jwks);
}
