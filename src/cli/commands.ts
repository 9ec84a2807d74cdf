import { isApiError } from '../engine/api-error.js';
import { createServiceAccessToken, revokeApiToken } from '../engine/access/api-callers.js';
import { createRuntime } from '../server/runtime.js';
import { ConfigError, type Config } from '../server/config.js';
import { openStore } from '../store/open-store.js';
import { readSecret } from './secret-input.js';

export async function runMigrate(config: Config): Promise<number> {
  const { store, location, appliedMigrations } = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await store.close();
  process.stdout.write(
    appliedMigrations.length > 0 ? `applied ${appliedMigrations.join(', ')} to ${location}\n` : `${location} is up to date\n`,
  );
  return 0;
}

export async function runTokenCreate(config: Config, service: string | undefined, description: string | undefined): Promise<number> {
  if (!service || !/^[0-9]{1,15}$/.test(service)) throw new ConfigError('token create needs --service <service id>');
  const runtime = await createRuntime({ ...config, demo: false }, { logger: false, background: false });
  try {
    const token = await createServiceAccessToken(runtime.engine, Number(service), description);
    if (isApiError(token)) {
      process.stderr.write(`openciba: ${token.message('/admin/services/tokens')}\n`);
      return 1;
    }
    process.stdout.write(`${token}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}

/**
 * `openciba token revoke --token-stdin | --token-file PATH`: any API token, a generated
 * organization token included. The token is read, never taken as a flag (the process list).
 */
export async function runTokenRevoke(config: Config, source: { stdin?: boolean | undefined; file?: string | undefined }): Promise<number> {
  const token = await readSecret(source, 'token', '--token');
  if (!token) throw new ConfigError('token revoke needs --token-stdin (one line from standard input) or --token-file PATH');
  const runtime = await createRuntime({ ...config, demo: false }, { logger: false, background: false });
  try {
    const result = await revokeApiToken(runtime.engine, token);
    if (result) {
      process.stderr.write(`openciba: ${result.text}\n`);
      return 1;
    }
    process.stdout.write('revoked\n');
    return 0;
  } finally {
    await runtime.close();
  }
}
