import type { JtiStore } from '../ports/jti-store.js';
import type { SqlContext } from './sql-context.js';

export function kyselyJtis({ writeOne }: SqlContext): JtiStore {
  return {
    async claimJti(scope, jti, expiresAt, now) {
      // Insert, or take over a record whose lifetime is over; a live record means replay.
      const row = await writeOne((trx) => trx
        .insertInto('used_jtis')
        .values({ scope, jti, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['scope', 'jti']).doUpdateSet({ expires_at: expiresAt }).where('used_jtis.expires_at', '<=', now))
        .returning('jti')
        .executeTakeFirst());
      return row !== undefined;
    },
  };
}
