import type { EngineContext } from '../context.js';
import { isApiError, type ApiError } from '../api-error.js';
import { codes } from '../../wire/result-codes.js';
import { keyOf } from '../audit/engine-events.js';
import { completeBackchannelAuthentication, type BackchannelAuthenticationCompleteInput, type BackchannelAuthenticationCompleteResponse } from './complete.js';

// The answers of a completion that was recorded (not refused, not late).
const RECORDED = new Set([codes.completePoll.code, codes.completeNotification.code]);

/**
 * `/complete` as the API serves it. For a request that a front in this process manages
 * (`ctx.managed`), OpenCIBA also delivers the ping or push notification: the front's outbox row
 * is written in the same transaction as the result, and the front is told the request was
 * completed. Requests of other authorization servers get Authlete's behaviour: the caller
 * delivers the notification.
 */
export async function completeForApi(
  ctx: EngineContext,
  serviceId: number,
  requested: BackchannelAuthenticationCompleteInput,
): Promise<BackchannelAuthenticationCompleteResponse | ApiError> {
  const record = typeof requested.ticket === 'string' && requested.ticket !== '' ? await ctx.store.findBackchannelRequestByTicket(serviceId, ctx.keyring.digest(requested.ticket)) : undefined;
  const managed = record?.authReqIdDigest && ctx.managed ? await ctx.managed.completion(serviceId, record.authReqIdDigest) : undefined;
  // The front that identified the user has the last word on whether she may still be authenticated.
  const input: BackchannelAuthenticationCompleteInput =
    managed && requested.result === 'AUTHORIZED' && !(await managed.mayAuthorize(requested.subject))
      ? { ticket: requested.ticket, result: 'ACCESS_DENIED', errorDescription: 'The user can no longer be authenticated.' }
      : requested;
  const answer = await completeBackchannelAuthentication(ctx, serviceId, input, {
    ...(record ? { record } : {}),
    ...(managed ? { outbox: (n) => managed.notification(n) } : {}),
  });
  const recorded = record && input.result !== undefined && !isApiError(answer) && RECORDED.has(String(answer.resultCode));
  if (!recorded) return answer;
  if (managed) await managed.completed(input.result!);
  ctx.audit.queue({
    serviceId,
    type: 'decision.recorded',
    ...keyOf(record),
    ...(typeof answer.authReqId === 'string' ? { authReqId: answer.authReqId } : {}),
    clientId: String(record.clientId),
    ...(input.subject ? { subject: input.subject } : {}),
    data: {
      outcome: OUTCOME_OF[input.result!],
      channel: managed?.channel ?? 'api',
      decidedBy: decidedBy(input, requested, managed !== undefined),
      // For the request→decision histogram; the event's own `at` is the decision's time.
      requestedAt: record.createdAt,
    },
  });
  return answer;
}

const OUTCOME_OF = { AUTHORIZED: 'approved', ACCESS_DENIED: 'denied', TRANSACTION_FAILED: 'failed' } as const;

/**
 * Who or what decided: the user on the front's device channel, the authorization server that
 * called /complete over the API (which decides for its user), the front's directory overruling
 * an approval for a user locked meanwhile, or the system (a transaction that failed or expired).
 */
function decidedBy(input: BackchannelAuthenticationCompleteInput, requested: BackchannelAuthenticationCompleteInput, managed: boolean): string {
  if (input.result === 'TRANSACTION_FAILED') return 'system';
  if (input !== requested) return 'directory';
  return managed ? 'user' : 'api';
}
