import type { Selectable } from 'kysely';
import type { ServiceRecord, ServiceStore } from '../ports/service-store.js';
import type { ServicesTable } from '../schema.js';
import type { SqlContext } from './sql-context.js';
import { deletedAny, pageOf } from './sql-helpers.js';

/** Every table keyed by `service_id`, emptied with the service (the service row goes last). */
const OWNED_BY_SERVICE = ['api_tokens', 'clients', 'users', 'tokens', 'backchannel_requests', 'front_requests', 'front_settings', 'outbox'] as const;

export function kyselyServices({ db }: SqlContext): ServiceStore {
  return {
    async createService(r) {
      await db
        .insertInto('services')
        .values({
          api_key: r.apiKey,
          number: r.number,
          data: JSON.stringify(r.data),
          jwks_sealed: r.jwksSealed,
          created_at: r.createdAt,
          modified_at: r.modifiedAt,
        })
        .execute();
    },

    async getService(apiKey) {
      const row = await db.selectFrom('services').selectAll().where('api_key', '=', apiKey).executeTakeFirst();
      return row ? toService(row) : undefined;
    },

    listServices(start, end, onlyApiKey) {
      let query = db.selectFrom('services');
      if (onlyApiKey !== undefined) query = query.where('api_key', '=', onlyApiKey);
      return pageOf(query, (q) => q.selectAll().orderBy('number'), start, end, toService);
    },

    async updateService(apiKey, data, jwksSealed, modifiedAt) {
      const result = await db
        .updateTable('services')
        .set({ data: JSON.stringify(data), ...(jwksSealed !== undefined ? { jwks_sealed: jwksSealed } : {}), modified_at: modifiedAt })
        .where('api_key', '=', apiKey)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async replaceServiceKeys(apiKey, expected, jwksSealed, modifiedAt) {
      const result = await db
        .updateTable('services')
        .set({ jwks_sealed: jwksSealed, modified_at: modifiedAt })
        .where('api_key', '=', apiKey)
        .where((eb) => (expected === null ? eb('jwks_sealed', 'is', null) : eb('jwks_sealed', '=', expected)))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    deleteService(apiKey) {
      return db.transaction().execute(async (trx) => {
        for (const table of OWNED_BY_SERVICE) await trx.deleteFrom(table).where('service_id', '=', apiKey).execute();
        return deletedAny(await trx.deleteFrom('services').where('api_key', '=', apiKey).executeTakeFirst());
      });
    },
  };
}

function toService(row: Selectable<ServicesTable>): ServiceRecord {
  return {
    apiKey: Number(row.api_key),
    number: Number(row.number),
    data: JSON.parse(row.data) as Record<string, unknown>,
    jwksSealed: row.jwks_sealed,
    createdAt: Number(row.created_at),
    modifiedAt: Number(row.modified_at),
  };
}
