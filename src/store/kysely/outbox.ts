import type { ExpressionBuilder } from 'kysely';
import type { OutboxStore } from '../ports/outbox-store.js';
import type { Database } from '../schema.js';
import { insertOutbox, toOutbox } from './outbox-rows.js';
import type { SqlContext } from './sql-context.js';
import { claimable, pageOf } from './sql-helpers.js';

/** Not leased, or its lease has run out. */
const unleased = (now: number) => (eb: ExpressionBuilder<Database, 'outbox'>) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]);

export function kyselyOutbox({ db, dialect, writeOne }: SqlContext): OutboxStore {
  return {
    enqueueOutbox: (r) => writeOne((trx) => insertOutbox(trx, r)),

    async claimDueOutbox(now, leaseUntil, limit) {
      const due = db.selectFrom('outbox').select('id').where('status', '=', 'pending').where('next_attempt_at', '<=', now).where(unleased(now)).orderBy('next_attempt_at').limit(limit);
      // The re-checked conditions make a row that another node leased meanwhile drop out.
      const rows = await db
        .updateTable('outbox')
        .set({ claimed_until: leaseUntil })
        .where(claimable(dialect, 'id', due))
        .where('status', '=', 'pending')
        .where(unleased(now))
        .returningAll()
        .execute();
      return rows.map(toOutbox);
    },

    async finishOutbox(id, status, attempts, now, error) {
      await db.updateTable('outbox').set({ status, attempts, finished_at: now, last_error: error, claimed_until: null }).where('id', '=', id).execute();
    },

    async retryOutbox(id, attempts, nextAttemptAt, error) {
      await db.updateTable('outbox').set({ attempts, next_attempt_at: nextAttemptAt, last_error: error, claimed_until: null }).where('id', '=', id).execute();
    },

    async renewOutboxLeases(ids, heldUntil, leaseUntil) {
      if (ids.length === 0) return [];
      const rows = await db.updateTable('outbox').set({ claimed_until: leaseUntil }).where('id', 'in', ids).where('status', '=', 'pending').where('claimed_until', '=', heldUntil).returning('id').execute();
      return rows.map((r) => r.id);
    },

    async releaseOutboxLeases(ids, heldUntil) {
      if (ids.length === 0) return;
      await db.updateTable('outbox').set({ claimed_until: null }).where('id', 'in', ids).where('status', '=', 'pending').where('claimed_until', '=', heldUntil).execute();
    },

    async outboxBacklog(now) {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => [eb.fn.countAll<number>().as('due'), eb.fn.min('next_attempt_at').as('oldest')])
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .executeTakeFirst();
      const oldest = row?.oldest;
      return { due: Number(row?.due ?? 0), oldestDueAt: oldest === null || oldest === undefined ? null : Number(oldest) };
    },

    listOutbox(serviceId, start, end) {
      return pageOf(db.selectFrom('outbox').where('service_id', '=', serviceId), (q) => q.selectAll().orderBy('created_at', 'desc'), start, end, toOutbox);
    },
  };
}
