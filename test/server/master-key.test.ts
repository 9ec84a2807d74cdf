import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { createRuntime } from '../../src/server/runtime.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

const MISMATCH = "This database was set up with another master key: set OPENCIBA_MASTER_KEY (or the data directory's master.key) to the original one.";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'openciba-master-key-'));
  dirs.push(dir);
  return dir;
}

/** Starts (and stops) a runtime on this database; resolves when it started, rejects with its refusal. */
async function startAndStop(env: Record<string, string>): Promise<void> {
  const runtime = await createRuntime(loadConfig({ OPENCIBA_DEMO: '0', PORT: '0', ...env }), { logger: false, background: false });
  await runtime.close();
}

async function refusal(env: Record<string, string>): Promise<unknown> {
  return startAndStop(env).then(
    () => new Error('started'),
    (error: unknown) => error,
  );
}

describe.each(DIALECTS)('a database sealed with another master key (%s)', (dialect) => {
  async function database(): Promise<Record<string, string>> {
    return { OPENCIBA_DATA_DIR: freshDir(), ...(dialect === 'postgres' ? { DATABASE_URL: await freshPostgresUrl() } : {}) };
  }

  it('is refused with a clear error, and still opens with the original key', async () => {
    const db = await database();
    const original = randomBytes(32).toString('base64');
    await startAndStop({ ...db, OPENCIBA_MASTER_KEY: original });

    const error = await refusal({ ...db, OPENCIBA_MASTER_KEY: randomBytes(32).toString('base64') });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(MISMATCH);
    // The refusal changed nothing: the original key is still the database's.
    await expect(startAndStop({ ...db, OPENCIBA_MASTER_KEY: original })).resolves.toBeUndefined();
  });

  it('is refused when the key comes from another master.key file', async () => {
    const db = await database();
    await startAndStop(db);
    writeFileSync(join(db.OPENCIBA_DATA_DIR!, 'master.key'), `${randomBytes(32).toString('base64')}\n`);
    const error = await refusal(db);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(MISMATCH);
  });
});
