import type { Kysely } from 'kysely';
import { auditEventHash, GENESIS_HASH } from '../../lib/audit-hash.js';
import type { BatchTail } from '../group-commit.js';
import type { HotPath } from '../hot-path.js';
import { preparedQuery } from '../prepared-query.js';
import type { AuditChainHead, StoredAuditEvent } from '../ports/audit-event-store.js';
import type { Database } from '../schema.js';
import { auditEventRow } from './audit-rows.js';
import type { SqlContext } from './sql-context.js';

/** 14 columns a row: 50 rows stay far below SQLite's 999 bound parameters. */
const ROWS_PER_INSERT = 50;

/** The event as the chain's next link after `head`: its seq, the head's hash, and its own hash. */
export function linkAuditEvent(event: StoredAuditEvent, head: AuditChainHead): StoredAuditEvent {
  const linked = { ...event, seq: head.seq + 1, prevHash: head.hash };
  return { ...linked, hash: auditEventHash({ ...linked, seq: head.seq + 1, prevHash: head.hash }) };
}

/**
 * Appending events linked: the events that a group-commit batch carries (group-commit.ts,
 * BatchTail) are chained in the batch's own transaction, after its other writes. Per service
 * in the batch: one statement reads its chain head and locks it (an upsert that creates a new
 * service's genesis head, and on PostgreSQL holds the row until commit, so nodes extend a chain
 * one batch at a time), the events are inserted with their seq and hashes, and one statement
 * moves the head. The head lock is the batch's last lock, taken in service order, so batches
 * of two nodes cannot deadlock on it, and it is held only for these statements and the commit.
 *
 * Measured with `npm run bench` on SQLite: linking after the insert (a chainer pass every
 * second, one UPDATE per event) cost a quarter of the flows/s at c=32 and held SQLite's one
 * connection for whole passes, which set the p99; in the batch it costs one hash per event and
 * three statements per service per batch. Events left unlinked by an earlier version are
 * linked by the chainer (audit-chain.ts), behind whatever the batches linked first.
 */
/**
 * Reading a chain's head for extending it: an upsert that creates a new service's genesis head
 * and returns the head, locking the row on PostgreSQL until commit, so that whoever extends a
 * chain (a batch, the chainer, a purge) does it one at a time. On SQLite the transaction that
 * writes holds the database anyway.
 */
export function auditHeadLock(hot: HotPath): (trx: Kysely<Database>, serviceId: number) => Promise<AuditChainHead> {
  const lockHead = preparedQuery(hot, (db: Kysely<Database>, serviceId: number) =>
    db
      .insertInto('audit_heads')
      .values({ service_id: serviceId, seq: 0, hash: GENESIS_HASH })
      // A no-op update rather than DO NOTHING: it returns the existing row, and locks it.
      .onConflict((oc) => oc.column('service_id').doUpdateSet((eb) => ({ seq: eb.ref('audit_heads.seq') })))
      .returning(['seq', 'hash']));
  return async (trx, serviceId) => {
    const row = (await lockHead(trx, serviceId)).rows[0]!;
    return { seq: Number(row.seq), hash: row.hash };
  };
}

export function auditAppendTail({ dialect, hot }: SqlContext): BatchTail<Database, StoredAuditEvent> {
  const lockHead = auditHeadLock(hot);
  const moveHead = preparedQuery(hot, (db: Kysely<Database>, seq: number, hash: string, serviceId: number) =>
    db.updateTable('audit_heads').set({ seq, hash }).where('service_id', '=', serviceId));
  const insertOne = preparedQuery(hot,
    (db: Kysely<Database>, id: string, serviceId: number, seq: number, at: number, type: string, authReqIdDigest: string | null, authReqIdSealed: string | null, ticketDigest: string | null, clientId: string | null, subject: string | null, data: string, prevHash: string, hash: string, requestKey: string | null) =>
      db.insertInto('audit_events').values({
        id, service_id: serviceId, seq, at, type, auth_req_id_digest: authReqIdDigest, auth_req_id_sealed: authReqIdSealed,
        ticket_digest: ticketDigest, client_id: clientId, subject, data, prev_hash: prevHash, hash, request_key: requestKey,
      }),
  );

  const insert = async (trx: Kysely<Database>, events: StoredAuditEvent[]) => {
    // SQLite runs a prepared single-row insert on the driver in microseconds; PostgreSQL pays a
    // round trip per statement, so it gets multi-row inserts.
    if (dialect === 'sqlite' || events.length === 1) {
      for (const e of events) await insertOne(trx, e.id, e.serviceId, e.seq!, e.at, e.type, e.authReqIdDigest, e.authReqIdSealed, e.ticketDigest, e.clientId, e.subject, e.data, e.prevHash!, e.hash!, e.requestKey);
      return;
    }
    for (let i = 0; i < events.length; i += ROWS_PER_INSERT) await trx.insertInto('audit_events').values(events.slice(i, i + ROWS_PER_INSERT).map(auditEventRow)).execute();
  };

  return {
    async run(trx, events) {
      const services = [...new Set(events.map((e) => e.serviceId))].sort((a, b) => a - b);
      for (const serviceId of services) {
        let head = await lockHead(trx, serviceId);
        const linked: StoredAuditEvent[] = [];
        for (const event of events) {
          if (event.serviceId !== serviceId) continue;
          const next = linkAuditEvent(event, head);
          linked.push(next);
          head = { seq: next.seq!, hash: next.hash! };
        }
        await insert(trx, linked);
        await moveHead(trx, head.seq, head.hash, serviceId);
      }
    },
  };
}
