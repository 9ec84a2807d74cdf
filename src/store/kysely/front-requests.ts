import type { Kysely, Selectable } from 'kysely';
import type { FrontRequestRecord, FrontRequestStore } from '../ports/front-request-store.js';
import { preparedQuery } from '../prepared-query.js';
import type { Database, FrontRequestsTable } from '../schema.js';
import type { SqlContext } from './sql-context.js';
import { claimable, preparedInsert } from './sql-helpers.js';
import { reservationRelease } from './attempt-limits.js';

export function kyselyFrontRequests({ db, hot, dialect, write, writeOne }: SqlContext): FrontRequestStore {
  // Every request on a device channel runs these: compiled once per store (see preparedQuery).
  const insert = preparedInsert(hot, 'front_requests');
  const release = reservationRelease(hot);
  const byDigest = preparedQuery(hot, (db: Kysely<Database>, serviceId: number, digest: string) =>
    db.selectFrom('front_requests').selectAll().where('service_id', '=', serviceId).where('auth_req_id_digest', '=', digest));
  const decide = preparedQuery(hot, (db: Kysely<Database>, status: string, serviceId: number, digest: string, now: number) =>
    db
      .updateTable('front_requests')
      .set({ status })
      .where('service_id', '=', serviceId)
      .where('auth_req_id_digest', '=', digest)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .returningAll());

  return {
    async createFrontRequest(r, options) {
      const reservation = options?.releaseReservation;
      if (reservation === undefined) {
        await writeOne((trx) => insert(trx, frontRequestRow(r)));
        return;
      }
      await write(async (trx) => {
        await insert(trx, frontRequestRow(r));
        await release(trx, reservation);
      });
    },

    async findFrontRequest(serviceId, authReqIdDigest) {
      const row = (await byDigest(db, serviceId, authReqIdDigest)).rows[0];
      return row ? toFrontRequest(row) : undefined;
    },

    async listPendingFrontRequests(serviceId, subject, now, limit) {
      let query = db.selectFrom('front_requests').selectAll().where('service_id', '=', serviceId).where('status', '=', 'pending').where('expires_at', '>', now);
      if (subject !== undefined) query = query.where('subject', '=', subject);
      const rows = await query.orderBy('created_at', 'desc').limit(limit).execute();
      return rows.map(toFrontRequest);
    },

    async listFrontRequests(serviceId, filter, now, limit) {
      let query = db.selectFrom('front_requests').selectAll().where('service_id', '=', serviceId);
      if (filter.subject !== undefined) query = query.where('subject', '=', filter.subject);
      if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId);
      switch (filter.state) {
        case 'pending':
          query = query.where('status', '=', 'pending').where('expires_at', '>', now);
          break;
        case 'approved':
          query = query.where('status', '=', 'allowed');
          break;
        case 'denied':
          query = query.where('status', '=', 'denied');
          break;
        case 'expired':
          query = query.where((eb) => eb.or([eb('status', '=', 'failed'), eb.and([eb('status', '=', 'pending'), eb('expires_at', '<=', now)])]));
          break;
      }
      const before = filter.before;
      if (before) {
        query = query.where((eb) =>
          eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('auth_req_id_digest', '<', before.authReqIdDigest)])]));
      }
      const rows = await query.orderBy('created_at', 'desc').orderBy('auth_req_id_digest', 'desc').limit(limit).execute();
      return rows.map(toFrontRequest);
    },

    async decideFrontRequest(serviceId, authReqIdDigest, status, now) {
      const row = (await writeOne((trx) => decide(trx, status, serviceId, authReqIdDigest, now))).rows[0];
      return row ? toFrontRequest(row) : undefined;
    },

    async reopenFrontRequest(serviceId, authReqIdDigest) {
      await writeOne((trx) => trx
        .updateTable('front_requests')
        .set({ status: 'pending' })
        .where('service_id', '=', serviceId)
        .where('auth_req_id_digest', '=', authReqIdDigest)
        .where('status', 'in', ['allowed', 'denied', 'failed'])
        .execute());
    },

    async claimExpiringFrontRequests(horizon, limit) {
      const due = db.selectFrom('front_requests').select('auth_req_id_digest').where('status', '=', 'pending').where('expires_at', '<=', horizon).orderBy('expires_at').limit(limit);
      const rows = await db
        .updateTable('front_requests')
        .set({ status: 'failed' })
        .where(claimable(dialect, 'auth_req_id_digest', due))
        .where('status', '=', 'pending')
        .returningAll()
        .execute();
      return rows.map(toFrontRequest);
    },
  };
}

function frontRequestRow(r: FrontRequestRecord): FrontRequestsTable {
  return {
    auth_req_id_digest: r.authReqIdDigest,
    service_id: r.serviceId,
    subject: r.subject,
    client_id: r.clientId,
    ticket_sealed: r.ticketSealed,
    auth_req_id_sealed: r.authReqIdSealed,
    details: JSON.stringify(r.details),
    status: r.status,
    channel: r.channel,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
  };
}

function toFrontRequest(row: Selectable<FrontRequestsTable>): FrontRequestRecord {
  return {
    authReqIdDigest: row.auth_req_id_digest,
    serviceId: Number(row.service_id),
    subject: row.subject,
    clientId: Number(row.client_id),
    ticketSealed: row.ticket_sealed,
    authReqIdSealed: row.auth_req_id_sealed,
    details: JSON.parse(row.details) as Record<string, unknown>,
    status: row.status as FrontRequestRecord['status'],
    channel: row.channel as FrontRequestRecord['channel'],
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}
