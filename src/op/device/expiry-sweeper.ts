import type { OpContext } from '../op-context.js';
import { completeFrontRequest } from './decide-request.js';

/**
 * Completes requests nobody answered with TRANSACTION_FAILED once they have expired — at their
 * expiry, not before, so that a request is pending for the whole lifetime the client was told
 * (`expires_in`), however short — so that ping and push clients hear of it. The engine accepts
 * this one completion for a request that has just expired (complete.ts, EXPIRED_FAILURE_GRACE_MS),
 * and the notification gets its own time to be delivered (notification-outbox-record.ts).
 * Several nodes may sweep at once: each request is claimed by one.
 */
export async function sweepExpiringRequests(op: OpContext, limit = 50): Promise<number> {
  const claimed = await op.store.claimExpiringFrontRequests(op.clock.now(), limit);
  for (const request of claimed) {
    try {
      await op.audit.record({
        serviceId: request.serviceId,
        type: 'request.expired',
        authReqId: op.keyring.open(request.authReqIdSealed),
        clientId: String(request.clientId),
        subject: request.subject,
        data: {},
      });
      await completeFrontRequest(op, request, 'TRANSACTION_FAILED');
    } catch {
      // The engine refuses a completion long after expiry (the sweep did not run within the
      // grace) or a second one: nothing left to tell anyone.
    }
  }
  return claimed.length;
}
