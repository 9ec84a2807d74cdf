import type { Kysely } from 'kysely';
import type { TokenStore } from '../ports/token-store.js';
import { preparedQuery } from '../prepared-query.js';
import type { Database } from '../schema.js';
import type { SqlContext } from './sql-context.js';
import { deletedAny } from './sql-helpers.js';
import { tokenRow, toToken } from './token-rows.js';

export function kyselyTokens({ db, hot, write, writeOne, insertToken }: SqlContext): TokenStore {
  // Introspection and userinfo look tokens up by access digest on every call.
  const byAccess = preparedQuery(hot, (db: Kysely<Database>, serviceId: number, digest: string) =>
    db.selectFrom('tokens').selectAll().where('service_id', '=', serviceId).where('access_token_digest', '=', digest));

  return {
    async insertToken(r) {
      await writeOne((trx) => insertToken(trx, r));
    },

    async findTokenByAccessDigest(serviceId, digest) {
      const row = (await byAccess(db, serviceId, digest)).rows[0];
      return row ? toToken(row) : undefined;
    },

    async findTokenByRefreshDigest(serviceId, digest) {
      const row = await db.selectFrom('tokens').selectAll().where('service_id', '=', serviceId).where('refresh_token_digest', '=', digest).executeTakeFirst();
      return row ? toToken(row) : undefined;
    },

    rotateRefreshToken(serviceId, refreshDigest, now, next) {
      return write(async (trx) => {
        const removed = await trx
          .deleteFrom('tokens')
          .where('service_id', '=', serviceId)
          .where('refresh_token_digest', '=', refreshDigest)
          .where('refresh_expires_at', '>', now)
          .executeTakeFirst();
        if (Number(removed.numDeletedRows) !== 1) return false;
        await trx.insertInto('tokens').values(tokenRow(next)).execute();
        return true;
      });
    },

    async deleteToken(id) {
      return deletedAny(await db.deleteFrom('tokens').where('id', '=', id).executeTakeFirst());
    },

    async deleteTokensOfGrant(grantId) {
      const result = await db.deleteFrom('tokens').where('grant_id', '=', grantId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async revokeReplayedGrant(grantId, redeemedBefore) {
      // One statement, so the check of the redemption time and the deletion cannot be split by
      // another request. A consumed request without a time was redeemed before times were kept.
      const result = await db
        .deleteFrom('tokens')
        .where('grant_id', '=', grantId)
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('backchannel_requests')
              .select('id')
              .where('id', '=', grantId)
              .where('status', '=', 'consumed')
              .where((eb) => eb.or([eb('last_polled_at', 'is', null), eb('last_polled_at', '<=', redeemedBefore)])),
          ),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
