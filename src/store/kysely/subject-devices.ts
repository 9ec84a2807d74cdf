import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';

/**
 * A deleted user's authenticator devices, their push subscriptions and unused enrolment codes go
 * with her, in her deletion's transaction: a subject created again later (another person, or the
 * same one re-registered) must not inherit a phone that can approve in her name. A lock keeps
 * them (approvals are refused while locked; unlocking restores the devices).
 */
export async function forgetSubjectDevices(trx: Transaction<Database>, serviceId: number, subject: string, now: number): Promise<void> {
  const devices = trx.selectFrom('authenticator_devices').select('id').where('service_id', '=', serviceId).where('subject', '=', subject);
  await trx.deleteFrom('authenticator_subscriptions').where('service_id', '=', serviceId).where('device_id', 'in', devices).execute();
  await trx.updateTable('authenticator_devices').set({ revoked_at: now }).where('service_id', '=', serviceId).where('subject', '=', subject).where('revoked_at', 'is', null).execute();
  await trx.deleteFrom('authenticator_enrolments').where('service_id', '=', serviceId).where('subject', '=', subject).where('used_at', 'is', null).execute();
}
