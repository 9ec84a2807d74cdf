import type { Kysely, Transaction } from 'kysely';
import { auditHeadLock, linkAuditEvent } from './audit-append.js';
import type { AuditChainHead, AuditEventStore } from '../ports/audit-event-store.js';
import type { Database } from '../schema.js';
import { preparedQuery } from '../prepared-query.js';
import { auditEventRow, toAuditEvent } from './audit-rows.js';
import type { SqlContext } from './sql-context.js';

/** Thrown inside a transaction to roll it back when another chainer moved the head first. */
class HeadMoved extends Error {}

/**
 * Linking events stored unlinked, and purging behind a checkpoint. Events are linked when they
 * are stored (audit-append.ts); what the chainer (housekeeping's audit pass, every second, and
 * the evidence endpoint on demand) still finds unlinked are rows an earlier version appended
 * (it inserted events unlinked and linked them later), which it links in id order behind what
 * is already chained. Every writer of a chain takes its head the same way (auditHeadLock), and
 * still extends it by compare-and-swap, so a node of the earlier version, whose chainer does not
 * lock, loses the race and rolls back instead of forking the chain.
 */
export function kyselyAuditChain({ db, hot }: SqlContext): Pick<AuditEventStore, 'chainAuditEvents' | 'purgeAuditEvents'> {
  const linkRow = preparedQuery(hot, (db: Kysely<Database>, seq: number, prevHash: string, hash: string, id: string) =>
    db.updateTable('audit_events').set({ seq, prev_hash: prevHash, hash }).where('id', '=', id).where('seq', 'is', null));
  const readHead = auditHeadLock(hot);

  const moveHead = async (trx: Transaction<Database>, serviceId: number, from: AuditChainHead, to: AuditChainHead) => {
    const moved = await trx.updateTable('audit_heads').set({ seq: to.seq, hash: to.hash }).where('service_id', '=', serviceId).where('seq', '=', from.seq).executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new HeadMoved();
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
      return rolledBackIfMoved(() =>
        db.transaction().execute(async (trx) => {
          const start = await readHead(trx, serviceId);
          const rows = await trx.selectFrom('audit_events').selectAll().where('service_id', '=', serviceId).where('seq', 'is', null).orderBy('id').limit(batch).execute();
          let head = start;
          for (const row of rows.map(toAuditEvent)) {
            const linked = linkAuditEvent(row, head);
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
          const event = linkAuditEvent(
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
              requestKey: null,
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
