import type { Selectable } from 'kysely';
import type { AuthenticatorStore, AuthenticatorDeviceRecord, PushSubscriptionRecord } from '../ports/authenticator-store.js';
import type { AuthenticatorDevicesTable, AuthenticatorSubscriptionsTable } from '../schema.js';
import type { SqlContext } from './sql-context.js';

type DeviceStore = Pick<
  AuthenticatorStore,
  | 'createEnrolment' | 'findEnrolment' | 'useEnrolment'
  | 'addDevice' | 'listDevices' | 'findDeviceByToken' | 'revokeDevice' | 'advanceSignCount'
  | 'putSubscription' | 'listSubscriptions' | 'deleteSubscription'
>;

function deviceOf(row: Selectable<AuthenticatorDevicesTable>): AuthenticatorDeviceRecord {
  return {
    id: row.id,
    serviceId: Number(row.service_id),
    subject: row.subject,
    label: row.label,
    tokenDigest: row.token_digest,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    signCount: Number(row.sign_count),
    transports: JSON.parse(row.transports) as string[],
    backupEligible: Number(row.backup_eligible) === 1,
    backupState: Number(row.backup_state) === 1,
    aaguid: row.aaguid,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

function subscriptionOf(row: Selectable<AuthenticatorSubscriptionsTable>): PushSubscriptionRecord {
  return { id: row.id, deviceId: row.device_id, serviceId: Number(row.service_id), endpoint: row.endpoint, keysSealed: row.keys_sealed, createdAt: Number(row.created_at) };
}

/** Enrolment codes, devices and their push subscriptions. */
export function kyselyAuthenticatorDevices({ db }: SqlContext): DeviceStore {
  return {
    async createEnrolment(r) {
      await db
        .insertInto('authenticator_enrolments')
        .values({ code_digest: r.codeDigest, service_id: r.serviceId, subject: r.subject, created_at: r.createdAt, expires_at: r.expiresAt, used_at: null })
        .execute();
    },

    async findEnrolment(codeDigest, now) {
      const row = await db
        .selectFrom('authenticator_enrolments')
        .selectAll()
        .where('code_digest', '=', codeDigest)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row
        ? { codeDigest: row.code_digest, serviceId: Number(row.service_id), subject: row.subject, createdAt: Number(row.created_at), expiresAt: Number(row.expires_at) }
        : undefined;
    },

    async useEnrolment(codeDigest, now) {
      const result = await db
        .updateTable('authenticator_enrolments')
        .set({ used_at: now })
        .where('code_digest', '=', codeDigest)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async addDevice(r) {
      const values = {
        id: r.id,
        service_id: r.serviceId,
        subject: r.subject,
        label: r.label,
        token_digest: r.tokenDigest,
        credential_id: r.credentialId,
        public_key: r.publicKey,
        sign_count: r.signCount,
        transports: JSON.stringify(r.transports),
        backup_eligible: r.backupEligible ? 1 : 0,
        backup_state: r.backupState ? 1 : 0,
        aaguid: r.aaguid,
        created_at: r.createdAt,
        last_used_at: r.lastUsedAt,
        revoked_at: r.revokedAt,
      };
      // WebAuthn §7.1 step 26: a credential id already registered (to anyone) is refused.
      const result = await db.insertInto('authenticator_devices').values(values).onConflict((oc) => oc.column('credential_id').doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1 ? 'added' : 'duplicate';
    },

    async listDevices(serviceId, subject) {
      const rows = await db
        .selectFrom('authenticator_devices')
        .selectAll()
        .where('service_id', '=', serviceId)
        .where('subject', '=', subject)
        .where('revoked_at', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(deviceOf);
    },

    async findDeviceByToken(tokenDigest) {
      const row = await db.selectFrom('authenticator_devices').selectAll().where('token_digest', '=', tokenDigest).where('revoked_at', 'is', null).executeTakeFirst();
      return row ? deviceOf(row) : undefined;
    },

    async revokeDevice(serviceId, subject, deviceId, now) {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('authenticator_devices')
          .set({ revoked_at: now })
          .where('id', '=', deviceId)
          .where('service_id', '=', serviceId)
          .where('subject', '=', subject)
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        await trx.deleteFrom('authenticator_subscriptions').where('device_id', '=', deviceId).where('service_id', '=', serviceId).execute();
        return Number(result.numUpdatedRows) === 1;
      });
    },

    async advanceSignCount(deviceId, from, to, backupState, now) {
      const result = await db
        .updateTable('authenticator_devices')
        .set({ sign_count: to, backup_state: backupState ? 1 : 0, last_used_at: now })
        .where('id', '=', deviceId)
        .where('sign_count', '=', from)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async putSubscription(r) {
      const row = { id: r.id, device_id: r.deviceId, service_id: r.serviceId, endpoint: r.endpoint, keys_sealed: r.keysSealed, created_at: r.createdAt };
      await db
        .insertInto('authenticator_subscriptions')
        .values(row)
        .onConflict((oc) => oc.column('endpoint').doUpdateSet({ device_id: row.device_id, service_id: row.service_id, keys_sealed: row.keys_sealed, created_at: row.created_at }))
        .execute();
    },

    async listSubscriptions(serviceId, subject) {
      const rows = await db
        .selectFrom('authenticator_subscriptions as s')
        .innerJoin('authenticator_devices as d', 'd.id', 's.device_id')
        .selectAll('s')
        .where('d.service_id', '=', serviceId)
        .where('d.subject', '=', subject)
        .where('d.revoked_at', 'is', null)
        .orderBy('s.created_at')
        .execute();
      return rows.map(subscriptionOf);
    },

    async deleteSubscription(serviceId, endpoint) {
      await db.deleteFrom('authenticator_subscriptions').where('service_id', '=', serviceId).where('endpoint', '=', endpoint).execute();
    },
  };
}
