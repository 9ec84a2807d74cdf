import type { EngineContext } from '../context.js';
import { apiErrors, type ApiError } from '../api-error.js';
import type { ClientRecord } from '../../store/ports.js';
import { pickMembers, writableMembers } from '../../wire/schemas.js';
import { withoutNulls } from '../../lib/json.js';
import { validateClient } from './validate-client.js';
import { fapiApplies } from '../fapi/fapi-profile.js';
import { forgetClient } from '../cache/party-caches.js';
import { isClientIdAliasSyntax, isNumericId } from '../../wire/ids.js';

// Assigned by the server, never taken from the caller.
const ASSIGNED = new Set(['clientId', 'clientSecret', 'number', 'serviceNumber', 'createdAt', 'modifiedAt', 'derivedSectorIdentifier', 'dynamicallyRegistered', 'registrationAccessTokenHash']);
const CLIENT_MEMBERS = writableMembers('client').filter((m) => !ASSIGNED.has(m));

const CLIENT_ID_DIGITS = 14;
/** 512 random bits, 86 characters of base64url, as Authlete makes them. */
const CLIENT_SECRET_BYTES = 64;

/** A new random client secret, sealed for storage (client/create and client/secret/refresh). */
export function newSealedClientSecret(ctx: EngineContext): string {
  return ctx.keyring.seal(ctx.random.token(CLIENT_SECRET_BYTES));
}

export type ClientView = Record<string, unknown> & { clientId: number; clientSecret: string };

/**
 * Defaults for a new client: a confidential CIBA poll client with client_secret_basic, ID tokens
 * in Authlete's RS256 — or PS256 where FAPI-CIBA applies, which does not allow RS256.
 */
function applyClientDefaults(input: Record<string, unknown>, service: Record<string, unknown>): Record<string, unknown> {
  return {
    clientType: 'CONFIDENTIAL',
    applicationType: 'WEB',
    tokenAuthMethod: input.clientType === 'PUBLIC' ? 'NONE' : 'CLIENT_SECRET_BASIC',
    grantTypes: ['CIBA', 'REFRESH_TOKEN'],
    responseTypes: [],
    redirectUris: [],
    idTokenSignAlg: fapiApplies(service, input) ? 'PS256' : 'RS256',
    subjectType: 'PUBLIC',
    bcUserCodeRequired: false,
    clientIdAliasEnabled: true,
    locked: false,
    ...input,
  };
}

export function viewOfClient(ctx: EngineContext, record: ClientRecord, serviceNumber?: number): ClientView {
  return withoutNulls({
    clientIdAlias: String(record.clientId),
    ...record.data,
    clientId: record.clientId,
    clientSecret: ctx.keyring.open(record.secretSealed),
    number: record.number,
    serviceNumber,
    developer: record.developer ?? undefined,
    createdAt: record.createdAt,
    modifiedAt: record.modifiedAt,
  }) as ClientView;
}

function splitDeveloper(data: Record<string, unknown>): { data: Record<string, unknown>; developer: string | null } {
  const { developer, ...rest } = data;
  return { data: rest, developer: typeof developer === 'string' ? developer : null };
}

/**
 * The custom alias to index for a client (null when it has only its id), or the 400 for an
 * unusable one. A number other than the client's own id is refused: it would name another client.
 */
function customAlias(data: Record<string, unknown>, clientId: number, previous?: unknown): string | null | ApiError {
  const alias = data.clientIdAlias;
  if (alias === undefined || alias === String(clientId)) return null;
  const usable = typeof alias === 'string' && isClientIdAliasSyntax(alias) && !isNumericId(alias);
  // An alias stored before aliases were checked stays as it was, unusable as client_id, rather
  // than blocking every update of its client.
  if (!usable && alias === previous) return null;
  if (typeof alias !== 'string' || !isClientIdAliasSyntax(alias)) {
    return apiErrors.badRequest("'clientIdAlias' must be 1 to 255 printable ASCII characters without spaces.");
  }
  if (isNumericId(alias)) return apiErrors.badRequest("'clientIdAlias' must not be a number other than the client's id.");
  return alias;
}

const aliasTaken = () => apiErrors.badRequest("'clientIdAlias' is already used by another client of this service.");

async function serviceNumberOf(ctx: EngineContext, serviceId: number): Promise<number | ApiError> {
  const service = await serviceOf(ctx, serviceId);
  return 'number' in service ? service.number : service;
}

/** A client is validated against its service's settings (the FAPI profile among them). */
async function serviceOf(ctx: EngineContext, serviceId: number): Promise<{ number: number; data: Record<string, unknown> } | ApiError> {
  const service = await ctx.store.getService(serviceId);
  return service ? { number: service.number, data: service.data } : apiErrors.serviceNotFound(String(serviceId));
}

export async function createClient(ctx: EngineContext, serviceId: number, input: Record<string, unknown>): Promise<ClientView | ApiError> {
  const service = await serviceOf(ctx, serviceId);
  if (!('data' in service)) return service;
  const serviceNumber = service.number;
  const merged = applyClientDefaults(pickMembers(input, CLIENT_MEMBERS), service.data);
  const invalid = validateClient(merged, ctx.mode, service.data);
  if (invalid) return invalid;

  const now = ctx.clock.now();
  const { data, developer } = splitDeveloper(merged);
  const clientId = ctx.random.numericId(CLIENT_ID_DIGITS);
  const alias = customAlias(data, clientId);
  if (alias !== null && typeof alias !== 'string') return alias;
  const record: ClientRecord = {
    clientId,
    serviceId,
    number: await ctx.store.nextNumber('client'),
    developer,
    data,
    secretSealed: newSealedClientSecret(ctx),
    clientIdAlias: alias,
    createdAt: now,
    modifiedAt: now,
  };
  if ((await ctx.store.createClient(record)) === 'alias-taken') return aliasTaken();
  return viewOfClient(ctx, record, serviceNumber);
}

export async function getClient(ctx: EngineContext, serviceId: number, clientId: number): Promise<ClientView | ApiError> {
  const serviceNumber = await serviceNumberOf(ctx, serviceId);
  if (typeof serviceNumber !== 'number') return serviceNumber;
  const record = await ctx.store.getClient(serviceId, clientId);
  if (!record) return apiErrors.clientNotFound(String(clientId));
  return viewOfClient(ctx, record, serviceNumber);
}

export interface ClientList {
  start: number;
  end: number;
  totalCount: number;
  developer?: string;
  clients: ClientView[];
}

export async function listClients(ctx: EngineContext, serviceId: number, start: number, end: number, developer?: string): Promise<ClientList | ApiError> {
  const serviceNumber = await serviceNumberOf(ctx, serviceId);
  if (typeof serviceNumber !== 'number') return serviceNumber;
  const page = await ctx.store.listClients(serviceId, start, end, developer);
  return withoutNulls({ start, end, totalCount: page.totalCount, developer, clients: page.items.map((r) => viewOfClient(ctx, r, serviceNumber)) });
}

/**
 * Replaces the writable members; the secret stays (it is not taken from the body, and not written
 * back either, so that a secret replaced meanwhile by /client/secret/* is not undone).
 */
export async function updateClient(ctx: EngineContext, serviceId: number, clientId: number, input: Record<string, unknown>): Promise<ClientView | ApiError> {
  const service = await serviceOf(ctx, serviceId);
  if (!('data' in service)) return service;
  const serviceNumber = service.number;
  const record = await ctx.store.getClient(serviceId, clientId);
  if (!record) return apiErrors.clientNotFound(String(clientId));
  const merged = applyClientDefaults(pickMembers(input, CLIENT_MEMBERS), service.data);
  const invalid = validateClient(merged, ctx.mode, service.data);
  if (invalid) return invalid;
  const { data, developer } = splitDeveloper(merged);
  const alias = customAlias(data, clientId, record.data.clientIdAlias);
  if (alias !== null && typeof alias !== 'string') return alias;
  const modifiedAt = ctx.clock.now();
  const updated = await ctx.store.updateClient(serviceId, clientId, { data, developer, clientIdAlias: alias, modifiedAt });
  forgetClient(ctx.store, serviceId, clientId);
  if (updated === 'alias-taken') return aliasTaken();
  if (updated === 'not-found') return apiErrors.clientNotFound(String(clientId));
  return viewOfClient(ctx, { ...record, data, developer, clientIdAlias: alias, modifiedAt }, serviceNumber);
}

export async function deleteClient(ctx: EngineContext, serviceId: number, clientId: number): Promise<undefined | ApiError> {
  const deleted = await ctx.store.deleteClient(serviceId, clientId, ctx.clock.now());
  forgetClient(ctx.store, serviceId, clientId);
  return deleted ? undefined : apiErrors.clientNotFound(String(clientId));
}
