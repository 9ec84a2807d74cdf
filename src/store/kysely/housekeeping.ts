import type { HousekeepingStore } from '../ports/housekeeping-store.js';
import type { SqlContext } from './sql-context.js';

const deleted = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);

export function kyselyHousekeeping({ db }: SqlContext): HousekeepingStore {
  return {
    // Each DELETE takes a bounded batch (through a keyed sub-select), so no purge holds long locks.
    async purgeExpired(now, retention, batch) {
      const backchannelRequests = deleted(
        await db
          .deleteFrom('backchannel_requests')
          .where('id', 'in', db.selectFrom('backchannel_requests').select('id').where('expires_at', '<', now - retention.transactionsMs).limit(batch))
          .executeTakeFirst(),
      );
      const tokens = deleted(
        await db
          .deleteFrom('tokens')
          .where(
            'id',
            'in',
            db
              .selectFrom('tokens')
              .select('id')
              .where('access_expires_at', '<', now)
              .where((eb) => eb.or([eb('refresh_expires_at', 'is', null), eb('refresh_expires_at', '<', now)]))
              .limit(batch),
          )
          .executeTakeFirst(),
      );
      // JWT-id rows are tiny and indexed by expiry; one statement clears them.
      const usedJtis = deleted(await db.deleteFrom('used_jtis').where('expires_at', '<', now).executeTakeFirst());
      const outbox = deleted(
        await db
          .deleteFrom('outbox')
          .where(
            'id',
            'in',
            db.selectFrom('outbox').select('id').where('status', 'in', ['delivered', 'failed']).where('finished_at', '<', now - retention.finishedMs).limit(batch),
          )
          .executeTakeFirst(),
      );
      const frontRequests = deleted(
        await db
          .deleteFrom('front_requests')
          .where('auth_req_id_digest', 'in', db.selectFrom('front_requests').select('auth_req_id_digest').where('expires_at', '<', now - retention.transactionsMs).limit(batch))
          .executeTakeFirst(),
      );
      // Counters and reservations are tiny and indexed by expiry, like JWT ids.
      const attemptCounters = deleted(await db.deleteFrom('attempt_counters').where('expires_at', '<', now).executeTakeFirst());
      const requestReservations = deleted(await db.deleteFrom('request_reservations').where('expires_at', '<', now).executeTakeFirst());
      const authenticatorCeremonies =
        deleted(await db.deleteFrom('authenticator_challenges').where('expires_at', '<', now).executeTakeFirst()) +
        deleted(await db.deleteFrom('authenticator_enrolments').where('expires_at', '<', now).executeTakeFirst()) +
        deleted(await db.deleteFrom('authenticator_suspensions').where('until', '<', now).executeTakeFirst());
      return { backchannelRequests, tokens, usedJtis, outbox, frontRequests, attemptCounters, requestReservations, authenticatorCeremonies };
    },
  };
}
