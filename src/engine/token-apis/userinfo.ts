import type { EngineContext } from '../context.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { codes, type ResultCode } from '../../wire/result-codes.js';
import { settings } from '../services/service-settings.js';
import { withoutNulls } from '../../lib/json.js';
import { parseJsonObjectText } from '../../lib/json-object.js';
import { clientIdAsUsed, loadClient, loadService, type ClientParty, type ServiceParty } from '../protocol/parties.js';
import { actionHead } from '../protocol/action-head.js';
import { scopeClaims } from '../protocol/scope-claims.js';
import { signingKeyFor } from '../tokens/id-token.js';
import { signCompact, signingKeyObject } from '../../lib/jws-sign.js';
import { bearerChallenge } from './bearer-challenge.js';
import { findToken, visibleProperties, type FoundToken } from './find-token.js';
import { checkSender, resourceNonce, type Presentation } from './sender-check.js';

export type UserinfoAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'OK';
export type UserinfoIssueAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'JSON' | 'JWT';

interface Checked {
  service: ServiceParty;
  found: FoundToken;
  client: ClientParty | undefined;
}

/** The userinfo checks shared by /auth/userinfo and /auth/userinfo/issue (reference §10). */
async function checkToken<A extends string>(
  ctx: EngineContext,
  serviceId: number,
  token: unknown,
  presented?: Presentation,
): Promise<Checked | ApiError | (Record<string, unknown> & { action: A })> {
  const service = await loadService(ctx, serviceId);
  if (!service) return apiErrors.serviceNotFound(String(serviceId));
  const refuse = (code: ResultCode, action: string, error: string, extra: Record<string, string> = {}) =>
    ({ ...actionHead(code, action), responseContent: bearerChallenge(error, code, extra) }) as unknown as Record<string, unknown> & { action: A };
  if (typeof token !== 'string' || token === '') return refuse(codes.userinfoMissingToken, 'BAD_REQUEST', 'invalid_request');
  const found = await findToken(ctx, serviceId, token);
  if (!found) return refuse(codes.userinfoUnknown, 'UNAUTHORIZED', 'invalid_token');
  if (found.record.accessExpiresAt <= ctx.clock.now()) return refuse(codes.userinfoExpired, 'UNAUTHORIZED', 'invalid_token');
  if (!found.record.subject) return refuse(codes.userinfoNoSubject, 'UNAUTHORIZED', 'invalid_token');
  if (!(found.grant.scopes ?? []).includes('openid')) return refuse(codes.userinfoNoOpenid, 'FORBIDDEN', 'insufficient_scope', { scope: 'openid' });
  // /auth/userinfo checks the sender; /auth/userinfo/issue is called by the authorization server
  // after that check, with the same proof, whose jti is spent by then.
  if (presented) {
    const userInfoEndpoint = typeof service.data.userInfoEndpoint === 'string' ? service.data.userInfoEndpoint : undefined;
    const sender = await checkSender(ctx, service, found, token, presented, { htm: 'GET', htu: userInfoEndpoint });
    if (sender) {
      const dpopNonce = sender.dpopNonce ?? resourceNonce(ctx, service, presented);
      return { ...actionHead(sender.code, 'UNAUTHORIZED'), responseContent: sender.challenge, ...(dpopNonce ? { dpopNonce } : {}) } as unknown as Record<string, unknown> & { action: A };
    }
  }
  return { service, found, client: await loadClient(ctx, serviceId, String(found.record.clientId)) };
}

const isChecked = (value: unknown): value is Checked => typeof value === 'object' && value !== null && 'found' in value && 'service' in value;

/** `/auth/userinfo`: validates the token and says which claims the authorization server should gather. */
export async function processUserinfo(ctx: EngineContext, serviceId: number, input: Presentation & { token?: string }) {
  const checked = await checkToken<UserinfoAction>(ctx, serviceId, input.token, input);
  if (!isChecked(checked)) return checked;
  const { service, found, client } = checked;
  const scopes = found.grant.scopes ?? [];
  const claims = [...new Set([...scopeClaims(scopes), ...(found.grant.consentedClaims ?? [])])];
  return withoutNulls({
    ...actionHead(codes.userinfoOk, 'OK' as const),
    responseContent: 'Bearer error="invalid_request"',
    subject: found.record.subject ?? undefined,
    claims: claims.length > 0 ? claims : undefined,
    scopes,
    token: input.token,
    clientId: found.record.clientId,
    clientIdAlias: client?.auth.clientIdAlias,
    clientIdAliasUsed: found.grant.clientIdAliasUsed === true,
    properties: visibleProperties(found.grant, false),
    consentedClaims: found.grant.consentedClaims,
    serviceAttributes: settings.attributes(service.data),
    clientAttributes: client ? settings.attributes(client.data) : undefined,
    dpopNonce: resourceNonce(ctx, service, input),
  });
}

/**
 * `/auth/userinfo/issue`: the UserInfo response from the claim values the authorization server
 * gathered — JSON, or a signed JWT when the client registered `userInfoSignAlg`.
 */
export async function issueUserinfo(ctx: EngineContext, serviceId: number, input: { token?: string; claims?: string; sub?: string }) {
  const checked = await checkToken<UserinfoIssueAction>(ctx, serviceId, input.token);
  if (!isChecked(checked)) return checked;
  const { service, found, client } = checked;
  const claims = input.claims === undefined || input.claims === '' ? {} : parseJsonObjectText(input.claims);
  if (!claims) return { ...actionHead(codes.userinfoIssueBadClaims, 'INTERNAL_SERVER_ERROR' as const), responseContent: bearerChallenge('server_error', codes.userinfoIssueBadClaims) };
  const body = { ...claims, sub: input.sub ?? found.grant.sub ?? found.record.subject ?? undefined };
  const alg = typeof client?.data.userInfoSignAlg === 'string' && client.data.userInfoSignAlg !== 'NONE' ? client.data.userInfoSignAlg : undefined;
  if (!alg) return { ...actionHead(codes.userinfoIssueJson, 'JSON' as const), responseContent: JSON.stringify(body) };
  const key = signingKeyFor(service.jwks, alg);
  if (!key) return { ...actionHead(codes.userinfoIssueBadClaims, 'INTERNAL_SERVER_ERROR' as const, `The service has no ${alg} key.`), responseContent: bearerChallenge('server_error', codes.userinfoIssueBadClaims) };
  const jwt = signCompact(
    { alg, ...(key.kid ? { kid: key.kid } : {}) },
    // OIDC Core §5.3.2: aud is the RP's client_id. Authlete does not say which id a signed
    // UserInfo names; like the ID token, the one the client used to start the grant.
    { ...body, iss: service.issuer, aud: client ? clientIdAsUsed(client, found.grant.clientIdAliasUsed) : String(found.record.clientId), iat: Math.floor(ctx.clock.now() / 1000) },
    alg,
    signingKeyObject(key, alg),
  );
  return { ...actionHead(codes.userinfoIssueJson, 'JWT' as const), responseContent: jwt };
}
