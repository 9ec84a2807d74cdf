import type { EngineContext } from '../context.js';
import { clientIdAsUsed, type ClientParty, type ServiceParty } from '../protocol/parties.js';
import { settings } from '../services/service-settings.js';
import type { TokenRecord } from '../../store/ports.js';
import { signIdToken } from './id-token.js';
import { refreshBindingFor, type Confirmation } from './token-binding.js';
import { fapiApplies, fapiDefaultIdTokenAlg } from '../fapi/fapi-profile.js';
import { signingAlgsOf } from '../discovery/build-configuration.js';
import { orderedId } from '../../lib/ordered-id.js';

/** What an authorization grants, whatever grant it came through. */
export interface Grant {
  subject: string;
  /** ID token `sub` override (e.g. pairwise). */
  sub?: string;
  scopes: string[];
  authTime?: number;
  acr?: string;
  /** Extra ID token claims (JSON object). */
  claims?: Record<string, unknown>;
  properties?: { key: string; value: string; hidden?: boolean }[];
  resources?: string[];
  authorizationDetails?: unknown;
  idTokenAudType?: 'array' | 'string';
  accessTokenDuration?: number;
  refreshTokenDuration?: number;
  consentedClaims?: string[];
  /**
   * Whether the client presented its alias in the request that started the grant (the
   * backchannel authentication request). It names the client in the grant's ID tokens —
   * refreshes included, whatever id the refresh request presents — and in introspection and
   * userinfo answers, as Authlete's `clientIdAliasUsed` does.
   */
  clientIdAliasUsed?: boolean;
}

export interface MintedTokens {
  record: TokenRecord;
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  accessTokenDuration: number;
  refreshTokenDuration?: number;
  idTokenDuration: number;
  accessTokenExpiresAt: number;
  refreshTokenExpiresAt?: number;
}

const TOKEN_BYTES = 32;

/** Whether this client gets a refresh token: both service and client allow the grant. */
export function refreshTokenAllowed(service: ServiceParty, client: ClientParty): boolean {
  const grantTypes = Array.isArray(client.data.grantTypes) ? (client.data.grantTypes as unknown[]) : [];
  return grantTypes.includes('REFRESH_TOKEN') && settings.supportsGrant(service.data, 'REFRESH_TOKEN');
}

/** A duration given with /complete or /auth/token is used when positive (reference §6, §7). */
const overridden = (override: number | undefined, base: number) => (override !== undefined && override > 0 ? override : base);

/**
 * Mints an opaque access token (and a refresh token when allowed) and, when `openid` is in
 * scope, an ID token signed with the client's `idTokenSignAlg`. Only digests are stored.
 */
export async function mintTokens(
  ctx: EngineContext,
  service: ServiceParty,
  client: ClientParty,
  grant: Grant,
  options: {
    grantType: 'CIBA' | 'REFRESH_TOKEN';
    grantId: string | null;
    authReqId?: string;
    refresh?: { token: string; expiresAt?: number } | 'new' | 'none';
    /** The access token's binding; a public client's refresh token gets it too. */
    cnf?: Confirmation;
  },
): Promise<MintedTokens | undefined> {
  const now = ctx.clock.now();
  const nowSeconds = Math.floor(now / 1000);
  const accessTokenDuration = overridden(grant.accessTokenDuration, settings.accessTokenDuration(service.data, client.data));
  const refreshTokenDuration = overridden(grant.refreshTokenDuration, settings.refreshTokenDuration(service.data, client.data));
  const idTokenDuration = settings.idTokenDuration(service.data, client.data);

  const accessToken = ctx.random.token(TOKEN_BYTES);
  const refreshChoice = options.refresh ?? (refreshTokenAllowed(service, client) ? 'new' : 'none');
  const refreshToken = refreshChoice === 'none' ? undefined : refreshChoice === 'new' ? ctx.random.token(TOKEN_BYTES) : refreshChoice.token;
  // A given token without an expiry gets a fresh duration, as a new one does.
  const refreshTokenExpiresAt =
    refreshChoice === 'none' ? undefined : refreshChoice === 'new' ? now + refreshTokenDuration * 1000 : (refreshChoice.expiresAt ?? now + refreshTokenDuration * 1000);
  let accessTokenExpiresAt = now + accessTokenDuration * 1000;
  if (settings.tokenExpirationLinked(service.data) && refreshTokenExpiresAt !== undefined) {
    accessTokenExpiresAt = Math.min(accessTokenExpiresAt, refreshTokenExpiresAt);
  }

  let idToken: string | undefined;
  if (grant.scopes.includes('openid')) {
    const alg = idTokenAlgOf(service, client);
    idToken = await signIdToken(service.jwks, alg, {
      issuer: service.issuer,
      sub: grant.sub ?? grant.subject,
      // OIDC Core §2: aud is the client_id the relying party knows (Authlete: the alias if used).
      audience: clientIdAsUsed(client, grant.clientIdAliasUsed),
      audType: grant.idTokenAudType ?? settings.idTokenAudType(service.data),
      issuedAt: nowSeconds,
      lifetime: idTokenDuration,
      ...(grant.authTime !== undefined ? { authTime: grant.authTime } : {}),
      ...(grant.acr !== undefined ? { acr: grant.acr } : {}),
      ...(grant.claims !== undefined ? { claims: grant.claims } : {}),
      accessToken,
      ...(refreshToken !== undefined ? { refreshToken } : {}),
      ...(options.authReqId !== undefined ? { authReqId: options.authReqId } : {}),
    });
    if (idToken === undefined) return undefined;
  }

  const record: TokenRecord = {
    id: orderedId(now, ctx.random),
    accessTokenDigest: ctx.keyring.digest(accessToken),
    refreshTokenDigest: refreshToken === undefined ? null : ctx.keyring.digest(refreshToken),
    serviceId: service.record.apiKey,
    clientId: client.record.clientId,
    subject: grant.subject,
    grantId: options.grantId,
    grantType: options.grantType,
    data: tokenData(grant, client, refreshToken !== undefined, options.cnf ?? {}),
    accessExpiresAt: accessTokenExpiresAt,
    refreshExpiresAt: refreshTokenExpiresAt ?? null,
    createdAt: now,
  };
  return {
    record,
    accessToken,
    accessTokenDuration,
    idTokenDuration,
    accessTokenExpiresAt,
    ...(refreshToken !== undefined ? { refreshToken, refreshTokenDuration: Math.round(((refreshTokenExpiresAt ?? now) - now) / 1000), refreshTokenExpiresAt } : {}),
    ...(idToken !== undefined ? { idToken } : {}),
  };
}

/** The stored JSON of a token pair: the grant and, for a sender-constrained pair, its bindings. */
function tokenData(grant: Grant, client: ClientParty, withRefresh: boolean, cnf: Confirmation): Record<string, unknown> {
  const refreshCnf = withRefresh ? refreshBindingFor(client, cnf) : undefined;
  return { grant, ...(Object.keys(cnf).length > 0 ? { cnf } : {}), ...(refreshCnf ? { refreshCnf } : {}) };
}

/** The binding stored with a token pair, if any. */
export const confirmationOf = (record: TokenRecord): Confirmation | undefined => record.data.cnf as Confirmation | undefined;
export const refreshConfirmationOf = (record: TokenRecord): Confirmation | undefined => record.data.refreshCnf as Confirmation | undefined;

/** RFC 6749 §5.1 token response body; RFC 9449 §5: `token_type` DPoP for a DPoP-bound token. */
export function tokenResponseContent(minted: MintedTokens, scopes: string[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    ...extra,
    access_token: minted.accessToken,
    token_type: confirmationOf(minted.record)?.jkt !== undefined ? 'DPoP' : 'Bearer',
    expires_in: Math.max(0, Math.round((minted.accessTokenExpiresAt - minted.record.createdAt) / 1000)),
    scope: scopes.join(' '),
    ...(minted.refreshToken !== undefined ? { refresh_token: minted.refreshToken } : {}),
    ...(minted.idToken !== undefined ? { id_token: minted.idToken } : {}),
  });
}

/** The client's idTokenSignAlg; unset, Authlete's RS256, or under FAPI-CIBA PS256/ES256 (fapi-profile.ts). */
function idTokenAlgOf(service: ServiceParty, client: ClientParty): string {
  const registered = client.data.idTokenSignAlg;
  if (typeof registered === 'string' && registered !== '' && registered !== 'NONE') return registered;
  return fapiApplies(service.data, client.data) ? fapiDefaultIdTokenAlg(signingAlgsOf(service.jwks)) : 'RS256';
}
