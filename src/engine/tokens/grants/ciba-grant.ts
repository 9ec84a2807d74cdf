import { codes } from '../../../wire/result-codes.js';
import { single } from '../../protocol/form-parameters.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';
import { mintTokens, type Grant } from '../mint-tokens.js';
import { tokenOkAnswer } from '../token-answer.js';
import type { GrantContext, TokenResponse } from '../token-endpoint.js';
import { keyOf, recordTokensIssued } from '../../audit/engine-events.js';

/** CIBA §11: a client that polls sooner than the interval gets slow_down, and 5 s more to wait. */
const SLOW_DOWN_PENALTY = 5;

/**
 * How long after a redemption a repeat of it by the same authenticated client is taken for
 * that client retrying (a resend after a timeout, a proxy retrying, requests racing the winner,
 * or — the case that sets the length — a duplicate ping: delivery is at least once, and a node
 * that dies mid-send has its ping sent again by another node once the lease runs out, a few
 * seconds later, or a timed-out ping that did arrive is retried after its backoff) rather than
 * for a replay. CIBA and Authlete are silent; RFC 6749 §4.1.2 revokes on a reused code, which
 * would take from a client reacting to our duplicate ping the tokens it just got. 30 s covers a
 * takeover (3 s lease + 5 s delivery) and the first retries (1 s, 2 s, 4 s, … after 5 s
 * timeouts). A repeat inside the window is still invalid_grant; one from another client never
 * revokes (it is refused before, as not its request). OPENCIBA_REPLAY_GRACE_MS changes it.
 */
export const REPLAY_GRACE_MS = 30_000;

/**
 * The CIBA grant (CIBA §10.1, §11; reference §7): pending, slow_down, expired, denied, failed,
 * or the tokens — once. An auth_req_id is single-use: a repeat is invalid_grant, and once the
 * grace window after the redemption is over it also revokes what the redemption issued.
 */
export async function cibaGrant(g: GrantContext): Promise<TokenResponse | Refusal> {
  const { ctx, service, client } = g;
  const authReqId = single(g.parameters, 'auth_req_id');
  if (!authReqId) return refuse('invalid_request', codes.cibaMissingAuthReqId);
  const record = await ctx.store.findBackchannelRequestByAuthReqId(service.record.apiKey, ctx.keyring.digest(authReqId));
  if (!record) return refuse('invalid_grant', codes.cibaUnknown);
  if (record.clientId !== client.record.clientId) return refuse('invalid_grant', codes.cibaOtherClient);
  if (record.deliveryMode === 'PUSH') return refuse('invalid_grant', codes.cibaPushClient);

  const now = ctx.clock.now();
  const replay = async () => {
    await ctx.store.revokeReplayedGrant(record.id, now - (ctx.replayGraceMs ?? REPLAY_GRACE_MS));
    await ctx.audit.record({ serviceId: record.serviceId, type: 'replay.detected', at: now, authReqId, ...keyOf(record), clientId: String(record.clientId), data: {} });
    return refuse('invalid_grant', codes.cibaReplay);
  };
  if (record.status === 'consumed') return replay();

  if (now >= record.expiresAt) return refuse('expired_token', codes.cibaExpired);

  switch (record.status) {
    case 'identified':
      return refuse('invalid_grant', codes.cibaUnknown);
    case 'issued': {
      const interval = await ctx.store.recordPoll(record.id, now, SLOW_DOWN_PENALTY);
      // Ping clients are told when to come; only poll clients are held to the interval.
      if (record.deliveryMode === 'POLL' && interval !== undefined && interval > record.interval) return refuse('slow_down', codes.cibaSlowDown);
      return refuse('authorization_pending', codes.cibaPending);
    }
    case 'denied':
      return withSupplied(refuse('access_denied', codes.cibaDenied), record.result);
    case 'failed':
      // Authlete's documented mapping of TRANSACTION_FAILED at the token endpoint (reference §6).
      return withSupplied(refuse('expired_token', codes.cibaTransactionFailed), record.result);
    case 'authorized':
      break;
  }

  const grant = (record.result?.grant ?? {}) as Grant;
  const minted = await mintTokens(ctx, service, client, grant, { grantType: 'CIBA', grantId: record.id, cnf: g.cnf });
  if (!minted) return refuse('server_error', codes.tokenServerError, "The service has no key for the client's idTokenSignAlg.", 500);
  if (!(await ctx.store.consumeAuthorizedRequest(record.id, now, minted.record))) {
    const current = await ctx.store.findBackchannelRequestByAuthReqId(service.record.apiKey, ctx.keyring.digest(authReqId));
    if (current?.status === 'consumed') return replay();
    return refuse('expired_token', codes.cibaExpired);
  }
  recordTokensIssued(ctx, record, authReqId, minted, grant.subject || undefined);
  return tokenOkAnswer(g, minted, grant, 'CIBA');
}

/** The errorDescription and errorUri given with /complete reach the client as given (reference §6). */
function withSupplied(refusal: Refusal, result: Record<string, unknown> | null): Refusal {
  const supplied = result?.errorExtras as { error_description?: string; error_uri?: string } | undefined;
  return supplied && Object.keys(supplied).length > 0 ? { ...refusal, supplied } : refusal;
}
