import type { Kysely, Transaction } from 'kysely';
import { auditEventHash, GENESIS_HASH } from '../../lib/audit-hash.js';
import type { AuditChainHead, AuditEventStore, StoredAuditEvent } from '../ports/audit-event-store.js';
import type { Database } from '../schema.js';
import { preparedQuery } from '../prepared-query.js';
import { auditEventRow, toAuditEvent } from './audit-rows.js';
import type { SqlContext } from './sql-context.js';

/** Thrown inside a transaction to roll it back when another chainer moved the head first. */
class HeadMoved extends Error {}

/**
 * Why the chain is linked after the insert and not in it: linking in the request's transaction
 * would make every event of a service wait on its head row, one node at a time — every CIBA
 * request of a busy service through one lock, across the cluster. Instead events are inserted
 * unlinked (a plain INSERT, which group commit batches), and a chainer (housekeeping's audit
 * pass, every second, and the evidence endpoint on demand) links them in id order. Two chainers
 * may run at once: each extends the head by compare-and-swap in one transaction, and the loser
 * rolls back. The cost on the hot path is one insert per event; linking costs one UPDATE per
 * event off the request path. Verification covers the linked part and reports the unlinked tail.
 * Measured on SQLite (2 shared cores): an event insert ~136 µs, about any single-row insert of
 * the store (~117 µs, an API token), i.e. mostly the commit, which the sink batches across
 * requests (audit-sink.ts); linking ~134 µs per event in batches of 1000, on the chainer's timer.
 * A CIBA flow writes about seven events.
 */
export function kyselyAuditChain({ db, hot }: SqlContext): Pick<AuditEventStore, 'chainAuditEvents' | 'purgeAuditEvents'> {
  // Linking runs once per event while holding the database (SQLite has one connection): compiled
  // once and run on the driver, it costs a small fraction of building the UPDATE each time.
  const linkRow = preparedQuery(hot, (db: Kysely<Database>, seq: number, prevHash: string, hash: string, id: string) =>
    db.updateTable('audit_events').set({ seq, prev_hash: prevHash, hash }).where('id', '=', id).where('seq', 'is', null));
  const ensureHead = (serviceId: number) =>
    db.insertInto('audit_heads').values({ service_id: serviceId, seq: 0, hash: GENESIS_HASH }).onConflict((oc) => oc.column('service_id').doNothing()).execute();

  const readHead = async (trx: Transaction<Database>, serviceId: number): Promise<AuditChainHead> => {
    const row = await trx.selectFrom('audit_heads').select(['seq', 'hash']).where('service_id', '=', serviceId).executeTakeFirstOrThrow();
    return { seq: Number(row.seq), hash: row.hash };
  };

  const moveHead = async (trx: Transaction<Database>, serviceId: number, from: AuditChainHead, to: AuditChainHead) => {
    const moved = await trx.updateTable('audit_heads').set({ seq: to.seq, hash: to.hash }).where('service_id', '=', serviceId).where('seq', '=', from.seq).executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new HeadMoved();
  };

  const link = (event: StoredAuditEvent, head: AuditChainHead): StoredAuditEvent => {
    const seq = head.seq + 1;
    const linked = { ...event, seq, prevHash: head.hash };
    return { ...linked, hash: auditEventHash({ ...linked, prevHash: head.hash, seq }) };
  };

  const rolledBackIfMoved = async (work: () => Promise<number>) => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof HeadMoved) return 0;
      throw error;
    }
  };

  return {
    async chainAuditEvents(serviceId, batch) {
      await ensureHead(serviceId);
      return rolledBackIfMoved(() =>
        db.transaction().execute(async (trx) => {
          const start = await readHead(trx, serviceId);
          const rows = await trx.selectFrom('audit_events').selectAll().where('service_id', '=', serviceId).where('seq', 'is', null).orderBy('id').limit(batch).execute();
          let head = start;
          for (const row of rows.map(toAuditEvent)) {
            const linked = link(row, head);
            const updated = await linkRow(trx, linked.seq!, linked.prevHash!, linked.hash!, row.id);
            if (Number(updated.numAffectedRows) !== 1) throw new HeadMoved();
            head = { seq: linked.seq!, hash: linked.hash! };
          }
          if (head.seq !== start.seq) await moveHead(trx, serviceId, start, head);
          return head.seq - start.seq;
        }),
      );
    },

    async purgeAuditEvents(serviceId, before, checkpoint) {
      await ensureHead(serviceId);
      return rolledBackIfMoved(() =>
        db.transaction().execute(async (trx) => {
          const last = await trx
            .selectFrom('audit_events')
            .select(['seq', 'hash'])
            .where('service_id', '=', serviceId)
            .where('seq', 'is not', null)
            .where('at', '<', before)
            .orderBy('seq', 'desc')
            .limit(1)
            .executeTakeFirst();
          if (!last || last.seq === null || last.hash === null) return 0;
          const purgedThroughSeq = Number(last.seq);
          const head = await readHead(trx, serviceId);
          // The head itself is never purged: the checkpoint that follows it would have nothing to continue.
          const deleted = await trx.deleteFrom('audit_events').where('service_id', '=', serviceId).where('seq', '<=', purgedThroughSeq).executeTakeFirst();
          const event = link(
            {
              id: checkpoint.id,
              serviceId,
              seq: null,
              at: checkpoint.at,
              type: 'audit.checkpoint',
              authReqIdDigest: null,
              authReqIdSealed: null,
              ticketDigest: null,
              clientId: null,
              subject: null,
              data: JSON.stringify({ purgedThroughSeq, hash: last.hash }),
              prevHash: null,
              hash: null,
            },
            head,
          );
          await trx.insertInto('audit_events').values(auditEventRow(event)).execute();
          await moveHead(trx, serviceId, head, { seq: event.seq!, hash: event.hash! });
          return Number(deleted.numDeletedRows);
        }),
      );
    },
  };
}
