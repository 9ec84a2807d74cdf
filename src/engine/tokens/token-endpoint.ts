import type { EngineContext } from '../context.js';
import { apiErrors, type ApiError } from '../api-error.js';
import { codes } from '../../wire/result-codes.js';
import { settings } from '../services/service-settings.js';
import { authenticateParty } from '../protocol/authenticate-party.js';
import { parseFormParameters, single } from '../protocol/form-parameters.js';
import { loadService, type ClientParty, type ServiceParty } from '../protocol/parties.js';
import { isOAuthError, refuse, type Refusal } from '../protocol/oauth-error.js';
import { oauthErrorAnswer } from '../protocol/oauth-error-answer.js';
import { cibaGrant } from './grants/ciba-grant.js';
import { refreshTokenGrant } from './grants/refresh-token-grant.js';
import { currentNonce } from '../dpop/dpop-nonce.js';
import { dpopNonceRequired, isBindingRefusal, tokenBinding, type BindingRefusal, type Confirmation } from './token-binding.js';

export interface TokenRequestInput {
  parameters?: string;
  clientId?: string;
  clientSecret?: string;
  clientCertificate?: string;
  clientCertificatePath?: string[];
  properties?: { key?: string; value?: string; hidden?: boolean }[];
  accessTokenDuration?: number;
  refreshTokenDuration?: number;
  /** The DPoP header, the request's method and URI (RFC 9449 §4.3; Authlete's defaults: POST, tokenEndpoint). */
  dpop?: string;
  htm?: string;
  htu?: string;
  dpopNonceRequired?: boolean;
}

export type TokenAction = 'INTERNAL_SERVER_ERROR' | 'INVALID_CLIENT' | 'BAD_REQUEST' | 'OK';
export type TokenResponse = Record<string, unknown> & { action: TokenAction };

/** What a grant handler gets: the authenticated client and the parsed parameters. */
export interface GrantContext {
  ctx: EngineContext;
  service: ServiceParty;
  client: ClientParty;
  clientAuthMethod: string;
  /** Whether the client named itself by its custom alias rather than its numeric id. */
  clientIdAliasUsed: boolean;
  parameters: ReadonlyMap<string, unknown>;
  input: TokenRequestInput;
  /** What the tokens of this request are bound to (empty: bearer tokens). */
  cnf: Confirmation;
}

export type GrantHandler = (grant: GrantContext) => Promise<TokenResponse | Refusal>;

const GRANTS: Record<string, { name: 'CIBA' | 'REFRESH_TOKEN'; handle: GrantHandler }> = {
  'urn:openid:params:grant-type:ciba': { name: 'CIBA', handle: cibaGrant },
  refresh_token: { name: 'REFRESH_TOKEN', handle: refreshTokenGrant },
};

/**
 * `/auth/token` (reference §7): parse, authenticate the client, then hand over to the grant
 * type's handler — the endpoint itself only dispatches.
 */
export async function processTokenRequest(ctx: EngineContext, serviceId: number, input: TokenRequestInput): Promise<TokenResponse | ApiError> {
  const service = await loadService(ctx, serviceId);
  if (!service) return apiErrors.serviceNotFound(String(serviceId));
  const outcome = await evaluate(ctx, service, input);
  const answer = isOAuthError(outcome) ? (oauthErrorAnswer(service, outcome, 'INVALID_CLIENT') as TokenResponse) : outcome;
  // RFC 9449 §8.2: where nonces are required, every answer tells the client the next one.
  const nonce = isOAuthError(outcome) && outcome.dpopNonce !== undefined ? outcome.dpopNonce : undefined;
  if (nonce !== undefined || dpopNonceRequired(service, input.dpopNonceRequired)) answer.dpopNonce = nonce ?? currentNonce(ctx, service.record.apiKey, 'token');
  return answer;
}

async function evaluate(ctx: EngineContext, service: ServiceParty, input: TokenRequestInput): Promise<TokenResponse | BindingRefusal> {
  if (typeof input.parameters !== 'string' || input.parameters === '') return refuse('invalid_request', codes.tokenMissingParameters);
  const form = parseFormParameters(input.parameters);
  if (typeof form === 'string') return refuse('invalid_request', codes.tokenMalformed, `The token request parameters are malformed: ${form}.`);
  const grantType = single(form, 'grant_type');
  if (!grantType) return refuse('invalid_request', codes.tokenMissingGrantType);

  const clientClue = input.clientId ?? single(form, 'client_id') ?? single(form, 'client_assertion');
  if (!clientClue && !input.clientCertificate) return refuse('invalid_request', codes.tokenNoClientClue);
  const authenticated = await authenticateParty(ctx, service, input, form, {
    audiences: [service.data.tokenEndpoint],
    code: codes.tokenClientAuthFailed,
  });
  if (isOAuthError(authenticated)) return authenticated;
  const client = authenticated.party;

  const grant = GRANTS[grantType];
  if (!grant || !settings.supportsGrant(service.data, grant.name)) return refuse('unsupported_grant_type', codes.tokenUnsupportedGrantType);
  const clientGrants = Array.isArray(client.data.grantTypes) ? (client.data.grantTypes as unknown[]) : [];
  if (!clientGrants.includes(grant.name)) return refuse('unauthorized_client', codes.tokenUnauthorizedClient);

  const cnf = await tokenBinding(ctx, service, client, input);
  if (isBindingRefusal(cnf)) {
    // A sender-constraint rule refused the request (FAPI-CIBA, certificate-bound tokens, DPoP):
    // in the trail as the backchannel endpoint's FAPI refusals are.
    if (cnf.rule) ctx.audit.queue({ serviceId: service.record.apiKey, type: 'security.refused', clientId: String(client.record.clientId), data: { rule: cnf.rule, detail: cnf.description } });
    return cnf;
  }

  const presentedId = input.clientId ?? single(form, 'client_id');
  const clientIdAliasUsed = presentedId !== undefined && presentedId !== String(client.record.clientId);
  return grant.handle({ ctx, service, client, clientAuthMethod: authenticated.method, clientIdAliasUsed, parameters: form, input, cnf });
}
