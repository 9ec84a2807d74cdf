import type { FrontSettingsStore } from '../ports/front-settings-store.js';
import type { SqlContext } from './sql-context.js';

/** The front's settings per service, uncached (see front-settings-cache.ts). */
export function kyselyFrontSettings({ db }: SqlContext): FrontSettingsStore {
  return {
    async getFrontSettings(serviceId) {
      const row = await db.selectFrom('front_settings').selectAll().where('service_id', '=', serviceId).executeTakeFirst();
      return row
        ? { serviceId: Number(row.service_id), data: JSON.parse(row.data) as Record<string, unknown>, webhookSecretSealed: row.webhook_secret_sealed, modifiedAt: Number(row.modified_at) }
        : undefined;
    },

    async putFrontSettings(r) {
      const row = { service_id: r.serviceId, data: JSON.stringify(r.data), webhook_secret_sealed: r.webhookSecretSealed, modified_at: r.modifiedAt };
      await db
        .insertInto('front_settings')
        .values(row)
        .onConflict((oc) => oc.column('service_id').doUpdateSet({ data: row.data, webhook_secret_sealed: row.webhook_secret_sealed, modified_at: row.modified_at }))
        .execute();
    },
  };
}
