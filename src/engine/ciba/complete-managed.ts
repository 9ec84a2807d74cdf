import type { EngineContext } from '../context.js';
import { isApiError, type ApiError } from '../api-error.js';
import { codes } from '../../wire/result-codes.js';
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
  if (managed && input.result !== undefined && !isApiError(answer) && RECORDED.has(String(answer.resultCode))) await managed.completed(input.result);
  return answer;
}
