import type { OpenedDatabase } from './database.js';
import { pendingMigrations } from './migrate.js';
import type { Store } from './ports.js';
import { kyselyApiTokens } from './kysely/api-tokens.js';
import { kyselyAttemptLimits } from './kysely/attempt-limits.js';
import { kyselyAuthenticatorCeremonies } from './kysely/authenticator-ceremonies.js';
import { kyselyAuthenticatorDevices } from './kysely/authenticator-devices.js';
import { kyselyAuditEvents } from './kysely/audit-events.js';
import { kyselyBackchannelRequests } from './kysely/backchannel-requests.js';
import { kyselyClients } from './kysely/clients.js';
import { kyselyCompletion } from './kysely/completion.js';
import { kyselyFrontRequests } from './kysely/front-requests.js';
import { kyselyFrontSettings } from './kysely/front-settings.js';
import { kyselyHousekeeping } from './kysely/housekeeping.js';
import { kyselyJtis } from './kysely/jtis.js';
import { kyselyMeta } from './kysely/meta.js';
import { kyselyOutbox } from './kysely/outbox.js';
import { kyselyServices } from './kysely/services.js';
import { sqlContext } from './kysely/sql-context.js';
import { kyselyTokens } from './kysely/tokens.js';
import { kyselyUsers } from './kysely/users.js';

/**
 * The Store over Kysely, one aggregate per file under kysely/; the SQL is kept to what SQLite
 * and PostgreSQL both run. Each aggregate compiles its hot statements once, when it is built here.
 */
export function kyselyStore(opened: OpenedDatabase): Store {
  const context = sqlContext(opened);
  return {
    dialect: opened.dialect,
    ...kyselyMeta(context),
    ...kyselyServices(context),
    ...kyselyClients(context),
    ...kyselyApiTokens(context),
    ...kyselyUsers(context),
    ...kyselyBackchannelRequests(context),
    ...kyselyCompletion(context),
    ...kyselyTokens(context),
    ...kyselyJtis(context),
    ...kyselyFrontSettings(context),
    ...kyselyFrontRequests(context),
    ...kyselyOutbox(context),
    ...kyselyAttemptLimits(context),
    ...kyselyAuthenticatorDevices(context),
    ...kyselyAuthenticatorCeremonies(context),
    ...kyselyHousekeeping(context),
    ...kyselyAuditEvents(context),
    pendingMigrations: () => pendingMigrations(opened.db),
    poolUse: () => opened.poolUse?.(),
    // What was answered is committed; what is queued is committed before the database closes.
    close: async () => {
      await context.writes.drain();
      await opened.close();
    },
  };
}
