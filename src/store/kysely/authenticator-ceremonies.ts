import type { AuthenticatorStore } from '../ports/authenticator-store.js';
import type { SqlContext } from './sql-context.js';

type CeremonyStore = Pick<
  AuthenticatorStore,
  'saveChallenge' | 'takeChallenge' | 'getVapidKeys' | 'createVapidKeys' | 'suspend' | 'suspendedUntil' | 'putEvidence' | 'getEvidence'
>;

/** Single-use challenges, the service's VAPID keys, suspensions and the evidence of decisions. */
export function kyselyAuthenticatorCeremonies({ db }: SqlContext): CeremonyStore {
  const getVapidKeys: CeremonyStore['getVapidKeys'] = async (serviceId) => {
    const row = await db.selectFrom('authenticator_vapid_keys').selectAll().where('service_id', '=', serviceId).executeTakeFirst();
    return row ? { serviceId: Number(row.service_id), publicKey: row.public_key, privateKeySealed: row.private_key_sealed, createdAt: Number(row.created_at) } : undefined;
  };
  return {
    async saveChallenge(r) {
      await db
        .insertInto('authenticator_challenges')
        .values({ id: r.id, service_id: r.serviceId, subject: r.subject, purpose: r.purpose, value: r.value, request_digest: r.requestDigest, expires_at: r.expiresAt })
        .execute();
    },

    async takeChallenge(id, now) {
      const row = await db.deleteFrom('authenticator_challenges').where('id', '=', id).returningAll().executeTakeFirst();
      if (!row || Number(row.expires_at) <= now) return undefined;
      return {
        id: row.id,
        serviceId: Number(row.service_id),
        subject: row.subject,
        purpose: row.purpose as 'register' | 'decide',
        value: row.value,
        requestDigest: row.request_digest,
        expiresAt: Number(row.expires_at),
      };
    },

    getVapidKeys,

    async createVapidKeys(r) {
      await db
        .insertInto('authenticator_vapid_keys')
        .values({ service_id: r.serviceId, public_key: r.publicKey, private_key_sealed: r.privateKeySealed, created_at: r.createdAt })
        .onConflict((oc) => oc.column('service_id').doNothing())
        .execute();
      // Two nodes making keys at once: the first one stored is everyone's.
      return (await getVapidKeys(r.serviceId)) ?? r;
    },

    async suspend(serviceId, subject, clientId, until) {
      await db
        .insertInto('authenticator_suspensions')
        .values({ service_id: serviceId, subject, client_id: clientId, until })
        .onConflict((oc) => oc.columns(['service_id', 'subject', 'client_id']).doUpdateSet({ until }))
        .execute();
    },

    async suspendedUntil(serviceId, subject, clientId, now) {
      const row = await db
        .selectFrom('authenticator_suspensions')
        .select('until')
        .where('service_id', '=', serviceId)
        .where('subject', '=', subject)
        .where('client_id', '=', clientId)
        .where('until', '>', now)
        .executeTakeFirst();
      return row ? Number(row.until) : undefined;
    },

    async putEvidence(r) {
      await db
        .insertInto('authenticator_evidence')
        .values({ request_digest: r.requestDigest, service_id: r.serviceId, device_id: r.deviceId, outcome: r.outcome, data: JSON.stringify(r.data), created_at: r.createdAt })
        .onConflict((oc) => oc.column('request_digest').doNothing())
        .execute();
    },

    async getEvidence(serviceId, requestDigest) {
      const row = await db.selectFrom('authenticator_evidence').selectAll().where('service_id', '=', serviceId).where('request_digest', '=', requestDigest).executeTakeFirst();
      return row
        ? {
            requestDigest: row.request_digest,
            serviceId: Number(row.service_id),
            deviceId: row.device_id,
            outcome: row.outcome as 'approved' | 'denied' | 'not_me',
            data: JSON.parse(row.data) as Record<string, unknown>,
            createdAt: Number(row.created_at),
          }
        : undefined;
    },
  };
}
