import type { OpContext } from '../op-context.js';
import { completeFrontRequest } from './decide-request.js';

/** How long before expiry an unanswered request is given up, so the completion still lands. */
const MARGIN_MS = 3_000;

/**
 * Completes requests nobody answered with TRANSACTION_FAILED just before they expire, so that
 * ping and push clients hear of it. Several nodes may sweep at once: each request is claimed by one.
 */
export async function sweepExpiringRequests(op: OpContext, limit = 50): Promise<number> {
  const claimed = await op.store.claimExpiringFrontRequests(op.clock.now() + MARGIN_MS, limit);
  for (const request of claimed) {
    try {
      await completeFrontRequest(op, request, 'TRANSACTION_FAILED');
    } catch {
      // The engine refuses a completion after expiry or a second one: nothing left to tell anyone.
    }
  }
  return claimed.length;
}
