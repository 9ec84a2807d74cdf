import { sql, type Kysely } from 'kysely';
import type { AttemptClaim, AttemptLimitStore } from '../ports/attempt-limit-store.js';
import type { HotPath } from '../hot-path.js';
import { preparedQuery } from '../prepared-query.js';
import type { Database } from '../schema.js';
import type { SqlContext } from './sql-context.js';

/**
 * The attempt counters as conditional upserts: the row's own lock (ON CONFLICT … DO UPDATE … WHERE)
 * decides who gets a place, so no read-then-write race exists on either dialect.
 */
/** The claim's upsert (see claimIn); every backchannel request runs it, so it is a hot statement. */
function claimUpsert(db: Kysely<Database>, scope: string, serviceId: number, limit: number, windowMs: number, now: number, windowEnd: number) {
  // A row starts again when its window is over (and it is not locked) or its lockout has passed.
  const fresh = sql<boolean>`((attempt_counters.locked_until is null and attempt_counters.window_start + ${windowMs} <= ${now}) or attempt_counters.locked_until <= ${now})`;
  return db
    .insertInto('attempt_counters')
    .values({ scope, service_id: serviceId, window_start: now, hits: 1, locked_until: null, expires_at: windowEnd })
    .onConflict((oc) =>
      oc
        .column('scope')
        .doUpdateSet({
          hits: sql`case when ${fresh} then 1 else attempt_counters.hits + 1 end`,
          window_start: sql`case when ${fresh} then ${now} else attempt_counters.window_start end`,
          locked_until: sql`case when ${fresh} then null else attempt_counters.locked_until end`,
          expires_at: sql`case when ${fresh} then ${windowEnd} else attempt_counters.expires_at end`,
        })
        .where(sql<boolean>`${fresh} or (attempt_counters.locked_until is null and attempt_counters.hits < ${limit})`),
    )
    .returning('hits');
}

type ClaimIn = (trx: Kysely<Database>, scope: string, serviceId: number, limit: number, windowMs: number, now: number) => Promise<number | undefined>;

/** One place in the scope's window, as claimAttempt describes: the count taken, or undefined when refused. */
function claimer(hot: HotPath): ClaimIn {
  const upsert = preparedQuery(hot, claimUpsert);
  return async (trx, scope, serviceId, limit, windowMs, now) => {
    const row = (await upsert(trx, scope, serviceId, limit, windowMs, now, now + windowMs)).rows[0];
    return row && Number(row.hits) <= limit ? Number(row.hits) : undefined;
  };
}

type Counted = { pending_n: number | string; pending_soonest: number | string | null; held_n: number | string; held_soonest: number | string | null };

/**
 * Pending device requests and places held, each as how many and when the soonest ends, in
 * ONE statement: on PostgreSQL (read committed) each statement has its own snapshot, and a
 * request that turns its place into a device request row between two separate counts
 * would be seen in neither.
 */
function countTaken(db: Kysely<Database>, serviceId: number, subject: string, now: number) {
  const mine = sql`service_id = ${serviceId} and subject = ${subject} and expires_at > ${now}`;
  const query = sql<Counted>`
      select
        (select count(*) from front_requests where ${mine} and status = 'pending') as pending_n,
        (select min(expires_at) from front_requests where ${mine} and status = 'pending') as pending_soonest,
        (select count(*) from request_reservations where ${mine}) as held_n,
        (select min(expires_at) from request_reservations where ${mine}) as held_soonest`;
  return { compile: () => query.compile(db) };
}

type ReserveIn = (trx: Kysely<Database>, serviceId: number, subject: string, cap: number, reservationId: string, holdUntil: number, now: number) => Promise<AttemptClaim>;

/**
 * A place under the user's pending cap, in a transaction that has already written a row only
 * this user's reservations write (which keeps them in line on both databases).
 */
function reserver(hot: HotPath): ReserveIn {
  const count = preparedQuery(hot, countTaken);
  const hold = preparedQuery(hot, (db: Kysely<Database>, id: string, serviceId: number, subject: string, expiresAt: number) =>
    db.insertInto('request_reservations').values({ id, service_id: serviceId, subject, expires_at: expiresAt }));
  return async (trx, serviceId, subject, cap, reservationId, holdUntil, now) => {
    const counted = (await count(trx, serviceId, subject, now)).rows[0]!;
    const taken = Number(counted.pending_n) + Number(counted.held_n);
    if (taken >= cap) {
      const ends = [counted.pending_soonest, counted.held_soonest].filter((v) => v !== null && v !== undefined).map(Number);
      return { granted: false, retryAt: ends.length > 0 ? Math.min(...ends) : now };
    }
    await hold(trx, reservationId, serviceId, subject, holdUntil);
    return { granted: true, hits: taken + 1 };
  };
}

/** Releasing a place held under a user's pending cap: also run where a device request takes it over (front-requests.ts). */
export function reservationRelease(hot: HotPath): (trx: Kysely<Database>, reservationId: string) => Promise<unknown> {
  return preparedQuery(hot, (db: Kysely<Database>, id: string) => db.deleteFrom('request_reservations').where('id', '=', id));
}

export function kyselyAttemptLimits({ db, hot, write, writeOne }: SqlContext): AttemptLimitStore {
  const claimIn = claimer(hot);
  const reserveIn = reserver(hot);
  const release = reservationRelease(hot);
  const retryAtOf = async (scope: string, windowMs: number, now: number): Promise<number> => {
    const row = await db.selectFrom('attempt_counters').select(['window_start', 'locked_until']).where('scope', '=', scope).executeTakeFirst();
    if (!row) return now;
    const lockedUntil = row.locked_until === null ? null : Number(row.locked_until);
    return lockedUntil !== null && lockedUntil > now ? lockedUntil : Number(row.window_start) + windowMs;
  };

  return {
    async claimAttempt(scope, serviceId, limit, windowMs, now) {
      const hits = await writeOne((trx) => claimIn(trx, scope, serviceId, limit, windowMs, now));
      if (hits !== undefined) return { granted: true, hits };
      return { granted: false, retryAt: await retryAtOf(scope, windowMs, now) };
    },

    async claimRequestPlace(rateScope, serviceId, subject, rateLimit, windowMs, cap, reservationId, holdUntil, now) {
      const outcome = await write(async (trx) => {
        if ((await claimIn(trx, rateScope, serviceId, rateLimit, windowMs, now)) === undefined) return 'rate' as const;
        // The counter's row was written first in this transaction: it holds this user's
        // reservations in line as reservePending's lock row does, with one statement fewer.
        return reserveIn(trx, serviceId, subject, cap, reservationId, holdUntil, now);
      });
      if (outcome === 'rate') return { granted: false, limit: 'rate', retryAt: await retryAtOf(rateScope, windowMs, now) };
      return outcome.granted ? outcome : { ...outcome, limit: 'pending' };
    },

    async releaseAttempt(scope) {
      await writeOne((trx) => trx.updateTable('attempt_counters').set({ hits: sql`hits - 1` }).where('scope', '=', scope).where('hits', '>', 0).execute());
    },

    async clearAttempts(scope) {
      await writeOne((trx) => trx.deleteFrom('attempt_counters').where('scope', '=', scope).execute());
    },

    async lockAttempts(scope, limit, until, now) {
      // The row then lives as long as the lockout, so housekeeping keeps it while it counts.
      const row = await writeOne((trx) => trx
        .updateTable('attempt_counters')
        .set({ locked_until: until, expires_at: until })
        .where('scope', '=', scope)
        .where('hits', '>=', limit)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .returning('scope')
        .executeTakeFirst());
      return row !== undefined;
    },

    reservePending(serviceId, subject, cap, reservationId, holdUntil, now) {
      return write(async (trx) => {
        // Writing the user's lock row first serializes reservations for this user: on PostgreSQL
        // the row stays locked until commit, and on SQLite the write takes the database's lock.
        const lockScope = `pending-lock:${serviceId}:${subject}`;
        await trx
          .insertInto('attempt_counters')
          .values({ scope: lockScope, service_id: serviceId, window_start: now, hits: 0, locked_until: null, expires_at: holdUntil })
          .onConflict((oc) => oc.column('scope').doUpdateSet({ window_start: now, expires_at: holdUntil }))
          .execute();
        return reserveIn(trx, serviceId, subject, cap, reservationId, holdUntil, now);
      });
    },

    async releasePending(reservationId) {
      await writeOne((trx) => release(trx, reservationId));
    },
  };
}
