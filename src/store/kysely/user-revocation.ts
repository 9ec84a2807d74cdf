import type { Transaction } from 'kysely';
import type { SubjectRevocation } from '../ports/user-store.js';
import type { Database } from '../schema.js';
import { cancelPendingOutbox } from './outbox-rows.js';

/** The `last_error` of a delivery cancelled because its user was locked or deleted. */
export const USER_REVOKED = 'cancelled: the user was locked or deleted';

/**
 * What an ended request records as its outcome: a denial (CIBA §11 `access_denied`, which
 * RFC 6749 §4.1.2.1 allows for "the resource owner or authorization server denied the request").
 * `expired_token` would tell the client to start again, which would only be refused once more.
 */
const REVOKED_RESULT = JSON.stringify({
  result: 'ACCESS_DENIED',
  errorExtras: { error_description: 'The user can no longer be authenticated.' },
});

/**
 * Revokes, inside the caller's transaction, everything a user of `serviceId` could still get
 * tokens or notifications from: her tokens; her CIBA requests still waiting on a decision (found
 * through the front's device requests, which name her) or approved but not redeemed (which name
 * her since 0007), which become denials; the front's pending device requests; and her queued
 * pushes (they carry her tokens) and device webhooks, failed so operators see why they never went.
 * Ping rows carry only the auth_req_id and are left to go: the client then hears access_denied
 * at the token endpoint at once instead of waiting for the expiry.
 *
 * The order matters on PostgreSQL (READ COMMITTED). Requests are ended before the final token
 * deletion, so a redemption or push minting that won the race for a request has committed its
 * tokens by the time that statement starts, and it deletes them. Tokens are deleted first too:
 * a refresh rotation that deleted the old pair before us commits its new pair while our first
 * DELETE waits on the old row (that statement cannot see the new row; the last one does), and a
 * rotation that comes after our first DELETE finds its refresh token gone.
 */
export async function revokeSubject(trx: Transaction<Database>, serviceId: number, subject: string, now: number): Promise<SubjectRevocation> {
  const deleteTokens = async () => Number((await trx.deleteFrom('tokens').where('service_id', '=', serviceId).where('subject', '=', subject).executeTakeFirst()).numDeletedRows);
  let revokedTokens = await deleteTokens();
  const denied = await trx
    .updateTable('backchannel_requests')
    .set({ status: 'denied', result: REVOKED_RESULT })
    .where('service_id', '=', serviceId)
    .where('status', 'in', ['issued', 'authorized'])
    .where((eb) =>
      eb.or([
        eb('subject', '=', subject),
        eb(
          'auth_req_id_digest',
          'in',
          eb.selectFrom('front_requests').select('auth_req_id_digest').where('service_id', '=', serviceId).where('subject', '=', subject),
        ),
      ]),
    )
    .executeTakeFirst();
  await trx.updateTable('front_requests').set({ status: 'denied' }).where('service_id', '=', serviceId).where('subject', '=', subject).where('status', '=', 'pending').execute();
  await cancelPendingOutbox(trx, serviceId, { subject }, now, USER_REVOKED);
  revokedTokens += await deleteTokens();
  return { revokedTokens, deniedRequests: Number(denied.numUpdatedRows) };
}
