import type { Kysely } from 'kysely';
import type { BackchannelRequestStore } from '../ports/backchannel-request-store.js';
import { preparedQuery } from '../prepared-query.js';
import type { Database } from '../schema.js';
import { toBackchannel } from './backchannel-rows.js';
import { insertOutbox } from './outbox-rows.js';
import type { SqlContext } from './sql-context.js';

/** The two cross-table transactions of a CIBA transaction's end. */
export type Completion = Pick<BackchannelRequestStore, 'completeBackchannelRequest' | 'consumeAuthorizedRequest'>;

/**
 * A completion writes the request's result with what must be durable exactly when it is: the
 * tokens (push, or a redeemed poll/ping) and the client's notification. All of that is here.
 */
export function kyselyCompletion({ hot, write, insertToken }: SqlContext): Completion {
  const complete = preparedQuery(hot, (db: Kysely<Database>, status: string, result: string, subject: string | null, serviceId: number, ticketDigest: string, unexpiredAt: number) =>
    db
      .updateTable('backchannel_requests')
      .set({ status, result, subject })
      .where('service_id', '=', serviceId)
      .where('ticket_digest', '=', ticketDigest)
      .where('status', '=', 'issued')
      // The engine's rule (complete.ts): the completion's time, or a grace for a final failure.
      .where('expires_at', '>', unexpiredAt)
      .returningAll());
  const consume = preparedQuery(hot, (db: Kysely<Database>, id: string, now: number) =>
    db
      .updateTable('backchannel_requests')
      // The redemption is the last poll: its time starts the replay grace window.
      .set({ status: 'consumed', last_polled_at: now })
      .where('id', '=', id)
      .where('status', '=', 'authorized')
      .where('expires_at', '>', now));

  return {
    completeBackchannelRequest(serviceId, ticketDigest, status, result, unexpiredAt, tokens, outbox, subject) {
      return write(async (trx) => {
        const row = (await complete(trx, status, JSON.stringify(result), subject ?? null, serviceId, ticketDigest, unexpiredAt)).rows[0];
        if (!row) return undefined;
        if (tokens) await insertToken(trx, tokens);
        // The notification is durable exactly when the result is.
        if (outbox) await insertOutbox(trx, outbox);
        return toBackchannel(row);
      });
    },

    consumeAuthorizedRequest(id, now, tokens) {
      return write(async (trx) => {
        const result = await consume(trx, id, now);
        if (Number(result.numAffectedRows ?? 0) !== 1) return false;
        await insertToken(trx, tokens);
        return true;
      });
    },
  };
}
