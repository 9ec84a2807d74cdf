import type { EngineContext } from '../context.js';
import { isApiError, type ApiError } from '../api-error.js';
import { completeBackchannelAuthentication, type BackchannelAuthenticationCompleteInput, type BackchannelAuthenticationCompleteResponse } from './complete.js';
import { notificationOutboxRecord } from './outbox-record.js';

// The answers of a completion that was recorded (not refused, not late).
const RECORDED = new Set(['A198001', 'A198002']);

/**
 * `/complete` as the API serves it. For a request that OpenCIBA's own front manages (it
 * identified the user and shows the request on a device channel), OpenCIBA also delivers the
 * ping or push notification: it goes to the outbox in the same transaction as the result, and
 * the front's record of the request is marked decided. Requests of other authorization servers
 * get Authlete's behaviour: the caller delivers the notification.
 */
export async function completeForApi(
  ctx: EngineContext,
  serviceId: number,
  input: BackchannelAuthenticationCompleteInput,
): Promise<BackchannelAuthenticationCompleteResponse | ApiError> {
  const record = typeof input.ticket === 'string' && input.ticket !== '' ? await ctx.store.findBackchannelRequestByTicket(serviceId, ctx.keyring.digest(input.ticket)) : undefined;
  const front = record?.authReqIdDigest ? await ctx.store.findFrontRequest(serviceId, record.authReqIdDigest) : undefined;
  const answer = await completeBackchannelAuthentication(ctx, serviceId, input, {
    ...(record ? { record } : {}),
    ...(front ? { outbox: (n) => notificationOutboxRecord(n, ctx) } : {}),
  });
  if (front?.status === 'pending' && !isApiError(answer) && RECORDED.has(String(answer.resultCode))) {
    await ctx.store.decideFrontRequest(serviceId, front.authReqIdDigest, input.result === 'AUTHORIZED' ? 'allowed' : 'denied', ctx.clock.now());
  }
  return answer;
}
