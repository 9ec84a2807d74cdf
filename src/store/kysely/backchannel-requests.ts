import { sql, type Kysely } from 'kysely';
import type { BackchannelRequestStore } from '../ports/backchannel-request-store.js';
import { preparedQuery } from '../prepared-query.js';
import type { Database } from '../schema.js';
import { backchannelRow, toBackchannel } from './backchannel-rows.js';
import type { SqlContext } from './sql-context.js';
import { deletedAny, preparedInsert } from './sql-helpers.js';

/** The CIBA transaction up to its completion (which is kysely/completion.ts). */
export type BackchannelRequestSteps = Omit<BackchannelRequestStore, 'completeBackchannelRequest' | 'consumeAuthorizedRequest'>;

export function kyselyBackchannelRequests({ db, hot, writeOne }: SqlContext): BackchannelRequestSteps {
  // Every CIBA flow runs these: compiled once per store (see preparedQuery).
  const insert = preparedInsert(hot, 'backchannel_requests');
  const byTicket = preparedQuery(hot, (db: Kysely<Database>, serviceId: number, digest: string) =>
    db.selectFrom('backchannel_requests').selectAll().where('service_id', '=', serviceId).where('ticket_digest', '=', digest));
  const byAuthReqId = preparedQuery(hot, (db: Kysely<Database>, serviceId: number, digest: string) =>
    db.selectFrom('backchannel_requests').selectAll().where('service_id', '=', serviceId).where('auth_req_id_digest', '=', digest));
  const issue = preparedQuery(hot, (db: Kysely<Database>, digest: string, sealed: string, serviceId: number, ticketDigest: string, now: number) =>
    db
      .updateTable('backchannel_requests')
      .set({ status: 'issued', auth_req_id_digest: digest, auth_req_id_sealed: sealed })
      .where('service_id', '=', serviceId)
      .where('ticket_digest', '=', ticketDigest)
      .where('status', '=', 'identified')
      .where('expires_at', '>', now)
      .returningAll());

  return {
    async createBackchannelRequest(r) {
      await writeOne((trx) => insert(trx, backchannelRow(r)));
    },

    async findBackchannelRequestByTicket(serviceId, ticketDigest) {
      const row = (await byTicket(db, serviceId, ticketDigest)).rows[0];
      return row ? toBackchannel(row) : undefined;
    },

    async findBackchannelRequestByAuthReqId(serviceId, authReqIdDigest) {
      const row = (await byAuthReqId(db, serviceId, authReqIdDigest)).rows[0];
      return row ? toBackchannel(row) : undefined;
    },

    async issueAuthReqId(serviceId, ticketDigest, authReqId, now) {
      const row = (await writeOne((trx) => issue(trx, authReqId.digest, authReqId.sealed, serviceId, ticketDigest, now))).rows[0];
      return row ? toBackchannel(row) : undefined;
    },

    async deleteBackchannelRequest(serviceId, ticketDigest) {
      // Only a ticket still waiting for /issue: an issued request keeps its outcome and replay record.
      const result = await writeOne((trx) => trx
        .deleteFrom('backchannel_requests')
        .where('service_id', '=', serviceId)
        .where('ticket_digest', '=', ticketDigest)
        .where('status', '=', 'identified')
        .executeTakeFirst());
      return deletedAny(result);
    },

    async recordPoll(id, now, penalty) {
      // Every right-hand side reads the row as it was before this UPDATE, in both databases.
      const row = await writeOne((trx) => trx
        .updateTable('backchannel_requests')
        .set({
          interval: sql<number>`case when last_polled_at is not null and ${now} - last_polled_at < "interval" * 1000 then "interval" + ${penalty} else "interval" end`,
          last_polled_at: now,
        })
        .where('id', '=', id)
        .returning('interval')
        .executeTakeFirst());
      return row ? Number(row.interval) : undefined;
    },
  };
}
