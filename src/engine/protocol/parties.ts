import type { X509Certificate } from 'node:crypto';
import type { JWK } from 'jose';
import { readCertificates } from '../client-auth/certificate-chain.js';
import type { EngineContext } from '../context.js';
import { resolveClientId } from '../clients/client-id-alias.js';
import type { AuthClient, ClientAuthContext, ClientAuthMethod } from '../client-auth/types.js';
import type { JwkSet } from '../keys/service-keys.js';
import { openKeyViews } from '../keys/service-key-set.js';
import { settings, type ClientAuthEndpoint } from '../services/service-settings.js';
import type { ClientRecord, ServiceRecord } from '../../store/ports.js';
import { fetchClientJwks, type JwksFetch } from './client-jwks.js';
import { partyCaches } from '../cache/party-caches.js';
import { FAPI_CLIENT_AUTH, fapiApplies } from '../fapi/fapi-profile.js';

const fapiClientAuth = (service: Record<string, unknown>, client: Record<string, unknown>) => (fapiApplies(service, client) ? FAPI_CLIENT_AUTH : undefined);

/** A service as the protocol steps see it. */
export interface ServiceParty {
  record: ServiceRecord;
  data: Record<string, unknown>;
  /** The keys that sign now (a rotation's next and replaced keys are left out). */
  jwks: JwkSet | undefined;
  /** Every key the service publishes now, for verifying what it signed (an id_token_hint). */
  publishedJwks: JwkSet | undefined;
  issuer: string;
}

/** A client as the protocol steps see it: the stored record, its metadata and its secret. */
export interface ClientParty {
  record: ClientRecord;
  data: Record<string, unknown>;
  auth: AuthClient;
}

/**
 * The client_id the client knows itself by in a grant (OIDC Core §2 `aud`, RFC 7662 `client_id`):
 * its alias when it presented the alias in the request that started the grant (Authlete's
 * `clientIdAliasUsed`), else its numeric id. The alias is the client's current one, as Authlete
 * reads it from the client, so a renamed alias names the client by its new name.
 */
export function clientIdAsUsed(client: ClientParty, aliasUsed: boolean | undefined): string {
  return aliasUsed === true && client.auth.clientIdAlias ? client.auth.clientIdAlias : String(client.record.clientId);
}

export async function loadService(ctx: EngineContext, serviceId: number): Promise<ServiceParty | undefined> {
  const cache = partyCaches<ServiceParty, ClientParty>(ctx.store, ctx.clock).services;
  const cached = cache.get(serviceId);
  if (cached) return cached;
  const record = await ctx.store.getService(serviceId);
  if (!record) return undefined;
  // Key states are read when the party is, so a node signs with a new key at most PARTY_TTL_MS
  // after its activation: the retention of the replaced key (key-schedule.ts) allows for that.
  const keys = openKeyViews(ctx, record);
  const party = { record, data: record.data, jwks: keys.signing, publishedJwks: keys.published, issuer: settings.issuer(record.data) };
  cache.set(serviceId, party);
  return party;
}

export function toAuthClient(ctx: EngineContext, record: ClientRecord): AuthClient {
  const d = record.data;
  const str = (name: string) => (typeof d[name] === 'string' ? (d[name] as string) : undefined);
  return {
    clientId: record.clientId,
    // Only an indexed alias names the client (a legacy, unusable one in its JSON does not).
    clientIdAlias: record.clientIdAlias ?? String(record.clientId),
    clientType: d.clientType === 'PUBLIC' ? 'PUBLIC' : 'CONFIDENTIAL',
    tokenAuthMethod: (str('tokenAuthMethod') ?? 'CLIENT_SECRET_BASIC') as ClientAuthMethod,
    ...(str('tokenAuthSignAlg') ? { tokenAuthSignAlg: str('tokenAuthSignAlg') } : {}),
    clientSecret: ctx.keyring.open(record.secretSealed),
    ...(str('jwks') ? { jwks: str('jwks') } : {}),
    ...(str('tlsClientAuthSubjectDn') ? { tlsClientAuthSubjectDn: str('tlsClientAuthSubjectDn') } : {}),
    ...(str('tlsClientAuthSanDns') ? { tlsClientAuthSanDns: str('tlsClientAuthSanDns') } : {}),
    ...(str('tlsClientAuthSanUri') ? { tlsClientAuthSanUri: str('tlsClientAuthSanUri') } : {}),
    ...(str('tlsClientAuthSanIp') ? { tlsClientAuthSanIp: str('tlsClientAuthSanIp') } : {}),
    ...(str('tlsClientAuthSanEmail') ? { tlsClientAuthSanEmail: str('tlsClientAuthSanEmail') } : {}),
    locked: d.locked === true,
    clientIdAliasEnabled: d.clientIdAliasEnabled !== false,
  };
}

/** A client by its numeric id (also its default alias) or by its custom alias. */
export async function loadClient(ctx: EngineContext, serviceId: number, clientIdOrAlias: string): Promise<ClientParty | undefined> {
  // Aliases can move between clients, ids cannot: an alias is resolved afresh, the party cached by id.
  const clientId = await resolveClientId(ctx, serviceId, clientIdOrAlias);
  return clientId === undefined ? undefined : loadClientById(ctx, serviceId, clientId);
}

async function loadClientById(ctx: EngineContext, serviceId: number, clientId: number): Promise<ClientParty | undefined> {
  const cache = partyCaches<ServiceParty, ClientParty>(ctx.store, ctx.clock).clients;
  const key = `${serviceId}:${clientId}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const record = await ctx.store.getClient(serviceId, clientId);
  if (!record) return undefined;
  const party = { record, data: record.data, auth: toAuthClient(ctx, record) };
  cache.set(key, party);
  return party;
}

/** The public keys a client registered: `jwks`, or fetched from `jwksUri` (none when it cannot be read). */
export async function clientPublicKeys(ctx: EngineContext, data: Record<string, unknown>): Promise<JWK[]> {
  const found = await readClientPublicKeys(ctx, data);
  return found.ok ? found.keys : [];
}

async function readClientPublicKeys(ctx: EngineContext, data: Record<string, unknown>): Promise<JwksFetch> {
  if (typeof data.jwks === 'string' && data.jwks !== '') {
    try {
      const parsed = JSON.parse(data.jwks) as { keys?: unknown };
      return { ok: true, keys: Array.isArray(parsed.keys) ? (parsed.keys as JWK[]) : [] };
    } catch {
      return { ok: true, keys: [] };
    }
  }
  if (typeof data.jwksUri === 'string' && data.jwksUri !== '') return fetchClientJwks(data.jwksUri, { mode: ctx.mode, clock: ctx.clock });
  return { ok: true, keys: [] };
}

// Parsed once per service version: the cache entry is replaced when the service changes.
const parsedAnchors = new WeakMap<ServiceParty, X509Certificate[]>();

/** The service's `trustedRootCertificates` (RFC 8705 §2.1 trust anchors), parsed. */
function serviceTrustAnchors(service: ServiceParty): X509Certificate[] {
  let anchors = parsedAnchors.get(service);
  if (anchors === undefined) {
    const listed = service.data.trustedRootCertificates;
    anchors = readCertificates(Array.isArray(listed) ? listed : []);
    parsedAnchors.set(service, anchors);
  }
  return anchors;
}

/** The context client authentication runs in, for one service and one endpoint. */
export function clientAuthContext(
  ctx: EngineContext,
  service: ServiceParty,
  audiences: (string | undefined)[],
  endpoint: ClientAuthEndpoint = 'token',
): ClientAuthContext & { clients: Map<number, ClientParty> } {
  const clients = new Map<number, ClientParty>();
  const nowSeconds = Math.floor(ctx.clock.now() / 1000);
  const supportedMethods = settings.authMethods(service.data, endpoint) as ClientAuthMethod[] | undefined;
  return {
    ...(supportedMethods ? { supportedMethods } : {}),
    // FAPI-CIBA governs the token and backchannel endpoints (the 'token' list); resource servers
    // authenticating at introspection or revocation are not FAPI clients.
    ...(endpoint === 'token' ? { profile: (client: AuthClient) => fapiClientAuth(service.data, clients.get(client.clientId)?.data ?? {}) } : {}),
    clientIdAliasEnabled: settings.clientIdAliasEnabled(service.data),
    clients,
    issuer: service.issuer,
    // Authlete's clientAssertionAudRestrictedToIssuer: then only the issuer is an assertion's audience.
    audiences: service.data.clientAssertionAudRestrictedToIssuer === true ? [] : audiences.filter((a): a is string => typeof a === 'string' && a !== ''),
    async findClient(id) {
      const party = await loadClient(ctx, service.record.apiKey, id);
      if (party) clients.set(party.record.clientId, party);
      return party?.auth;
    },
    claimJti: (clientId, jti, expiresAt) =>
      ctx.store.claimJti(`client-assertion:${service.record.apiKey}:${clientId}`, jti, expiresAt * 1000, ctx.clock.now()),
    // ClientAuthContext's contract: an unreadable jwks_uri rejects, and the client is told its
    // keys could not be obtained rather than that none of them matches.
    clientKeys: async (client) => {
      const found = await readClientPublicKeys(ctx, clients.get(client.clientId)?.data ?? {});
      if (!found.ok) throw new Error(`jwks_uri: ${found.reason}`);
      return found.keys;
    },
    now: nowSeconds,
    clockSkew: settings.clockSkew(service.data),
    certificateTrust: {
      anchors: [...serviceTrustAnchors(service), ...(ctx.clientCertificateTrust?.anchors ?? [])],
      validationRequired: service.data.mutualTlsValidatePkiCertChain === true,
      verifiedUpstream: ctx.clientCertificateTrust?.verifiedUpstream === true,
    },
  };
}
