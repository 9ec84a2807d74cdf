import type { Kysely } from 'kysely';
import type { ApiTokenStore } from '../ports/api-token-store.js';
import { preparedQuery } from '../prepared-query.js';
import type { Database } from '../schema.js';
import type { SqlContext } from './sql-context.js';
import { deletedAny } from './sql-helpers.js';

export function kyselyApiTokens({ db, hot }: SqlContext): ApiTokenStore {
  // Every API call checks its bearer token.
  const byDigest = preparedQuery(hot, (db: Kysely<Database>, digest: string) => db.selectFrom('api_tokens').select('service_id').where('digest', '=', digest));
  return {
    async addApiToken(digest, serviceId, description, createdAt) {
      await db.insertInto('api_tokens').values({ digest, service_id: serviceId, description, created_at: createdAt }).execute();
    },

    async findApiToken(digest) {
      const row = (await byDigest(db, digest)).rows[0];
      return row ? { serviceId: row.service_id === null ? null : Number(row.service_id) } : undefined;
    },

    async deleteApiToken(digest, serviceId) {
      let query = db.deleteFrom('api_tokens').where('digest', '=', digest);
      if (serviceId !== undefined) query = query.where('service_id', '=', serviceId);
      return deletedAny(await query.executeTakeFirst());
    },

    async hasOrganizationToken() {
      const row = await db.selectFrom('api_tokens').select('digest').where('service_id', 'is', null).executeTakeFirst();
      return row !== undefined;
    },
  };
}
