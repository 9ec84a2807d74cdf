import type { Kysely, Selectable } from 'kysely';
import type { ClientRecord, ClientStore } from '../ports/client-store.js';
import { preparedQuery } from '../prepared-query.js';
import type { ClientsTable, Database } from '../schema.js';
import { cancelPendingOutbox } from './outbox-rows.js';
import type { SqlContext } from './sql-context.js';
import { deletedAny, isUniqueViolation, pageOf, storableText } from './sql-helpers.js';

/** The `last_error` of a delivery cancelled because its client was deleted. */
export const CLIENT_DELETED = 'cancelled: the client was deleted';

export function kyselyClients({ db, hot }: SqlContext): ClientStore {
  // Client authentication by alias runs on every token request that presents one.
  const byAlias = preparedQuery(hot, (db: Kysely<Database>, serviceId: number, alias: string) =>
    db.selectFrom('clients').select('client_id').where('service_id', '=', serviceId).where('client_id_alias', '=', alias));

  const findClientIdByAlias = async (serviceId: number, alias: string): Promise<number | undefined> => {
    if (!storableText(alias)) return undefined;
    const row = (await byAlias(db, serviceId, alias)).rows[0];
    return row ? Number(row.client_id) : undefined;
  };

  return {
    findClientIdByAlias,

    async createClient(r) {
      try {
        await db
          .insertInto('clients')
          .values({
            client_id: r.clientId,
            service_id: r.serviceId,
            number: r.number,
            developer: r.developer,
            data: JSON.stringify(r.data),
            secret_sealed: r.secretSealed,
            client_id_alias: r.clientIdAlias,
            created_at: r.createdAt,
            modified_at: r.modifiedAt,
          })
          .execute();
        return 'created';
      } catch (error) {
        if (r.clientIdAlias !== null && isUniqueViolation(error) && (await findClientIdByAlias(r.serviceId, r.clientIdAlias)) !== undefined) return 'alias-taken';
        throw error;
      }
    },

    async getClient(serviceId, clientId) {
      const row = await db.selectFrom('clients').selectAll().where('service_id', '=', serviceId).where('client_id', '=', clientId).executeTakeFirst();
      return row ? toClient(row) : undefined;
    },

    listClients(serviceId, start, end, developer) {
      let query = db.selectFrom('clients').where('service_id', '=', serviceId);
      if (developer !== undefined) query = query.where('developer', '=', developer);
      return pageOf(query, (q) => q.selectAll().orderBy('number'), start, end, toClient);
    },

    async updateClient(serviceId, clientId, change) {
      try {
        const result = await db
          .updateTable('clients')
          .set({
            data: JSON.stringify(change.data),
            developer: change.developer,
            ...(change.secretSealed !== undefined ? { secret_sealed: change.secretSealed } : {}),
            client_id_alias: change.clientIdAlias,
            modified_at: change.modifiedAt,
          })
          .where('service_id', '=', serviceId)
          .where('client_id', '=', clientId)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0 ? 'updated' : 'not-found';
      } catch (error) {
        if (change.clientIdAlias !== null && isUniqueViolation(error)) {
          const holder = await findClientIdByAlias(serviceId, change.clientIdAlias);
          if (holder !== undefined && holder !== clientId) return 'alias-taken';
        }
        throw error;
      }
    },

    async replaceClientSecret(serviceId, clientId, secretSealed, modifiedAt) {
      const result = await db
        .updateTable('clients')
        .set({ secret_sealed: secretSealed, modified_at: modifiedAt })
        .where('service_id', '=', serviceId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    deleteClient(serviceId, clientId, now) {
      // A deleted client's tokens, requests and queued work go with it, all or nothing: no
      // notification is sent and no device shows a request for a client that is gone.
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('tokens').where('service_id', '=', serviceId).where('client_id', '=', clientId).execute();
        await trx.deleteFrom('backchannel_requests').where('service_id', '=', serviceId).where('client_id', '=', clientId).execute();
        await trx.deleteFrom('front_requests').where('service_id', '=', serviceId).where('client_id', '=', clientId).execute();
        await cancelPendingOutbox(trx, serviceId, { client_id: clientId }, now, CLIENT_DELETED);
        return deletedAny(await trx.deleteFrom('clients').where('service_id', '=', serviceId).where('client_id', '=', clientId).executeTakeFirst());
      });
    },
  };
}

function toClient(row: Selectable<ClientsTable>): ClientRecord {
  return {
    clientId: Number(row.client_id),
    serviceId: Number(row.service_id),
    number: Number(row.number),
    developer: row.developer,
    data: JSON.parse(row.data) as Record<string, unknown>,
    secretSealed: row.secret_sealed,
    clientIdAlias: row.client_id_alias ?? null,
    createdAt: Number(row.created_at),
    modifiedAt: Number(row.modified_at),
  };
}
