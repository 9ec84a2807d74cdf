import { codes } from '../../../wire/result-codes.js';
import { settings } from '../../services/service-settings.js';
import { single } from '../../protocol/form-parameters.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';
import { mintTokens, refreshConfirmationOf, type Grant } from '../mint-tokens.js';
import { refreshBindingHeld } from '../token-binding.js';
import { tokenOkAnswer } from '../token-answer.js';
import type { GrantContext, TokenResponse } from '../token-endpoint.js';

/**
 * The refresh-token grant (RFC 6749 §6): the pair is replaced atomically, so a refresh token
 * works once — unless the service keeps refresh tokens (`refreshTokenKept`), in which case the
 * same value carries over to the new pair.
 */
export async function refreshTokenGrant(g: GrantContext): Promise<TokenResponse | Refusal> {
  const { ctx, service, client } = g;
  const refreshToken = single(g.parameters, 'refresh_token');
  if (!refreshToken) return refuse('invalid_request', codes.refreshMissing);
  const digest = ctx.keyring.digest(refreshToken);
  const now = ctx.clock.now();
  const current = await ctx.store.findTokenByRefreshDigest(service.record.apiKey, digest);
  if (!current || current.refreshExpiresAt === null || current.refreshExpiresAt <= now) return refuse('invalid_grant', codes.refreshUnknown);
  if (current.clientId !== client.record.clientId) return refuse('invalid_grant', codes.refreshOtherClient);
  if (!refreshBindingHeld(refreshConfirmationOf(current), g.cnf)) return refuse('invalid_grant', codes.refreshBindingMismatch);

  const previous = (current.data.grant ?? {}) as Grant;
  let scopes = previous.scopes ?? [];
  const scopeParameter = single(g.parameters, 'scope');
  if (scopeParameter !== undefined) {
    const asked = [...new Set(scopeParameter.split(' ').filter(Boolean))];
    if (asked.some((s) => !scopes.includes(s))) return refuse('invalid_scope', codes.refreshBadScope);
    scopes = asked;
  }
  const grant: Grant = { ...previous, scopes };

  const token = settings.refreshTokenKept(service.data) ? refreshToken : ctx.random.token(32);
  const minted = await mintTokens(ctx, service, client, grant, {
    grantType: 'REFRESH_TOKEN',
    grantId: current.grantId,
    cnf: g.cnf,
    refresh: keepsRefreshExpiry(service.data) ? { token, expiresAt: current.refreshExpiresAt } : { token },
  });
  if (!minted) return refuse('server_error', codes.tokenServerError, "The service has no key for the client's idTokenSignAlg.", 500);
  if (!(await ctx.store.rotateRefreshToken(service.record.apiKey, digest, now, minted.record))) return refuse('invalid_grant', codes.refreshUnknown);
  return tokenOkAnswer(g, minted, grant, 'REFRESH_TOKEN');
}

/**
 * Whether the refresh token keeps its expiry across a refresh, as Authlete documents the service
 * flags: a kept token (`refreshTokenKept`) keeps it unless `refreshTokenDurationReset`; a new
 * token gets a fresh duration unless `refreshTokenDurationKept` (Reset is then not read).
 */
function keepsRefreshExpiry(service: Record<string, unknown>): boolean {
  return settings.refreshTokenKept(service) ? !settings.refreshTokenDurationReset(service) : settings.refreshTokenDurationKept(service);
}
