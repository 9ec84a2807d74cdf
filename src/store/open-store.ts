import { openDatabase, type DatabaseOptions } from './database.js';
import { withFrontSettingsCache } from './front-settings-cache.js';
import { kyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrate.js';
import type { Store } from './ports.js';

export interface OpenStoreResult {
  store: Store;
  location: string;
  appliedMigrations: string[];
}

/** Opens the configured database and brings its schema up to date. */
export async function openStore(options: DatabaseOptions & { migrate?: boolean; now?: () => number }): Promise<OpenStoreResult> {
  const opened = openDatabase(options);
  try {
    const applied = options.migrate === false ? [] : (await migrateToLatest(opened.db)).applied;
    return { store: withFrontSettingsCache(kyselyStore(opened), options.now), location: opened.location, appliedMigrations: applied };
  } catch (error) {
    await opened.close();
    throw error;
  }
}
