import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyring, type Keyring } from '../../../src/lib/keyring.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/ports.js';
import { freshPostgresUrl, type Dialect } from '../../support/test-server.js';

export const SERVICE_ID = 4_100_000_001;

export interface TestStore {
  store: Store;
  dataDir: string;
  /** The PostgreSQL database's URL (undefined on SQLite). */
  databaseUrl: string | undefined;
  /** Opens a second handle on the same database (another node, as far as the store knows). */
  openAnother(): Promise<Store>;
  close(): Promise<void>;
}

/**
 * A real store with the service that outbox rows refer to: SQLite in a fresh directory, or a
 * fresh database on the run's PostgreSQL server.
 */
export async function openTestStore(dialect: Dialect = 'sqlite'): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openciba-notify-'));
  const databaseUrl = dialect === 'postgres' ? await freshPostgresUrl() : undefined;
  const { store } = await openStore({ dataDir, databaseUrl });
  await store.createService({ apiKey: SERVICE_ID, number: 1, data: {}, jwksSealed: null, createdAt: 1, modifiedAt: 1 });
  const others: Store[] = [];
  let closed = false;
  return {
    store,
    dataDir,
    databaseUrl,
    async openAnother() {
      const other = (await openStore({ dataDir, databaseUrl, migrate: false })).store;
      others.push(other);
      return other;
    },
    async close() {
      if (closed) return;
      closed = true;
      // A test may have closed a handle itself; closing it again must not hide the test's result.
      for (const handle of [...others, store]) await handle.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function testKeyring(): Keyring {
  return createKeyring(Buffer.alloc(32, 1));
}

/** Jitter that takes nothing off: backoff is then exactly 1 s, 2 s, 4 s, … */
export const noJitter = () => 0;
