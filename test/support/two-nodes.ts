import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/lib/clock.js';
import { freshPostgresUrl, startTestServer, type Dialect, type TestServer } from './test-server.js';

/**
 * Two nodes on one database (a fresh SQLite file or PostgreSQL database), one master key and
 * one clock, for tests of what one node's change means on the other (caches, limits, keys).
 */
export async function startTwoNodes(dialect: Dialect, clock: Clock, env: Record<string, string> = {}): Promise<{ nodeA: TestServer; nodeB: TestServer; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openciba-two-nodes-'));
  const shared: Record<string, string> = {
    OPENCIBA_DATA_DIR: dataDir,
    OPENCIBA_MASTER_KEY: randomBytes(32).toString('base64'),
    ...(dialect === 'postgres' ? { DATABASE_URL: await freshPostgresUrl() } : {}),
    ...env,
  };
  const nodeA = await startTestServer({ clock, env: shared, background: false });
  const nodeB = await startTestServer({ clock, env: shared, background: false });
  return {
    nodeA,
    nodeB,
    async close() {
      await nodeB.close();
      await nodeA.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
