import type { Kysely, Selectable } from 'kysely';
import type { UserRecord, UserStore } from '../ports/user-store.js';
import { preparedQuery } from '../prepared-query.js';
import type { Database, UsersTable } from '../schema.js';
import type { SqlContext } from './sql-context.js';
import { revokeSubject } from './user-revocation.js';
import { forgetSubjectDevices } from './subject-devices.js';
import { deletedAny, pageOf, storableText } from './sql-helpers.js';

export function kyselyUsers({ db, hot }: SqlContext): UserStore {
  const bySubject = preparedQuery(hot, (db: Kysely<Database>, serviceId: number, subject: string) =>
    db.selectFrom('users').selectAll().where('service_id', '=', serviceId).where('subject', '=', subject));
  // One indexed lookup per kind of hint, in the order of precedence (an OR over the three
  // columns makes SQLite scan every user of the service).
  const byHint = [
    bySubject,
    preparedQuery(hot, (db: Kysely<Database>, serviceId: number, hint: string) =>
      db.selectFrom('users').selectAll().where('service_id', '=', serviceId).where('email', '=', hint).orderBy('subject').limit(1)),
    preparedQuery(hot, (db: Kysely<Database>, serviceId: number, hint: string) =>
      db.selectFrom('users').selectAll().where('service_id', '=', serviceId).where('phone_number', '=', hint).orderBy('subject').limit(1)),
  ];

  return {
    putUser(r) {
      const row = {
        service_id: r.serviceId,
        subject: r.subject,
        email: r.email,
        phone_number: r.phoneNumber,
        status: r.status,
        data: JSON.stringify(r.data),
        created_at: r.createdAt,
        modified_at: r.modifiedAt,
      };
      // A lock and the revocation it implies are one change: no node sees the one without the other.
      return db.transaction().execute(async (trx) => {
        await trx
          .insertInto('users')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['service_id', 'subject']).doUpdateSet({
              email: row.email,
              phone_number: row.phone_number,
              status: row.status,
              data: row.data,
              modified_at: row.modified_at,
            }),
          )
          .execute();
        if (r.status === 'locked') await revokeSubject(trx, r.serviceId, r.subject, r.modifiedAt);
      });
    },

    async getUser(serviceId, subject) {
      if (!storableText(subject)) return undefined;
      const row = (await bySubject(db, serviceId, subject)).rows[0];
      return row ? toUser(row) : undefined;
    },

    async findUserByHint(serviceId, hint) {
      if (!storableText(hint)) return undefined;
      for (const query of byHint) {
        const row = (await query(db, serviceId, hint)).rows[0];
        if (row) return toUser(row);
      }
      return undefined;
    },

    listUsers(serviceId, start, end) {
      return pageOf(db.selectFrom('users').where('service_id', '=', serviceId), (q) => q.selectAll().orderBy('subject'), start, end, toUser);
    },

    deleteUser(serviceId, subject, now) {
      return db.transaction().execute(async (trx) => {
        const deleted = deletedAny(await trx.deleteFrom('users').where('service_id', '=', serviceId).where('subject', '=', subject).executeTakeFirst());
        // Only a user of the directory: a subject it never held may be another authority's user.
        if (deleted) {
          await revokeSubject(trx, serviceId, subject, now);
          await forgetSubjectDevices(trx, serviceId, subject, now);
        }
        return deleted;
      });
    },

    revokeSubject(serviceId, subject, now) {
      return db.transaction().execute((trx) => revokeSubject(trx, serviceId, subject, now));
    },
  };
}

function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    serviceId: Number(row.service_id),
    subject: row.subject,
    email: row.email,
    phoneNumber: row.phone_number,
    status: row.status === 'locked' ? 'locked' : 'active',
    data: JSON.parse(row.data) as Record<string, unknown>,
    createdAt: Number(row.created_at),
    modifiedAt: Number(row.modified_at),
  };
}
