import { Migrator, type Migration, type MigrationProvider, type Kysely } from 'kysely';
import * as initial from './migrations/0001-initial.js';
import * as ciba from './migrations/0002-ciba.js';
import * as front from './migrations/0003-front.js';
import * as clientAlias from './migrations/0004-client-alias.js';
import * as userCodeHash from './migrations/0005-user-code-hash.js';
import * as outboxClient from './migrations/0006-outbox-client.js';
import * as subjectRevocation from './migrations/0007-subject-revocation.js';
import * as attemptLimits from './migrations/0008-attempt-limits.js';
import * as auditEvents from './migrations/0010-audit-events.js';
import * as authenticator from './migrations/0013-authenticator.js';
import * as frontRequestListing from './migrations/0014-front-request-listing.js';
import * as auditUnlinked from './migrations/0015-audit-unlinked.js';
import * as auditRequestKey from './migrations/0016-audit-request-key.js';

// Migrations are compiled in, so a build runs the same on every node and in every package layout.
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-ciba': ciba,
  '0003-front': front,
  '0004-client-alias': clientAlias,
  '0005-user-code-hash': userCodeHash,
  '0006-outbox-client': outboxClient,
  '0007-subject-revocation': subjectRevocation,
  '0008-attempt-limits': attemptLimits,
  '0010-audit-events': auditEvents,
  '0013-authenticator': authenticator,
  '0014-front-request-listing': frontRequestListing,
  '0015-audit-unlinked': auditUnlinked,
  '0016-audit-request-key': auditRequestKey,
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export interface MigrationReport {
  applied: string[];
}

/** Brings the schema up to date. Safe to run from several nodes at once (Kysely takes a lock). */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/**
 * The migrations of this build that the database has not run: empty when the schema is current.
 * Reads Kysely's own bookkeeping table, so it also proves the database answers.
 */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  const known = await migrator.getMigrations();
  return known.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** Brings the schema to the named migration (up or down): for upgrade tests and manual rollbacks. */
export async function migrateTo(db: Kysely<any>, name: string): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  const { error, results } = await migrator.migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
