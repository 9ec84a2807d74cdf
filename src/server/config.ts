import { resolve } from 'node:path';
import type { Mode } from '../engine/context.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  adminToken: string | undefined;
  publicUrl: string;
  mode: Mode;
  demo: boolean;
  /** base64 or hex of ≥ 32 bytes; unset → a key file in the data directory. */
  masterKey: string | undefined;
  logLevel: string;
  bodyLimit: number;
  /** The engine's API when the front runs apart from it (also works with Authlete). */
  engineUrl: string | undefined;
  engineToken: string | undefined;
  /** How long a node holds an outbox row it is sending; after a crash, others take it over then. */
  outboxLeaseMs: number | undefined;
}

export class ConfigError extends Error {}

/** Flag names are the environment names in kebab case: --port, --public-url, --database-url … */
export function loadConfig(env: NodeJS.ProcessEnv, flags: Record<string, string | boolean> = {}): Config {
  const read = (name: string): string | undefined => {
    const flag = flags[name.toLowerCase().replace(/^openciba_/, '').replace(/_/g, '-')];
    if (typeof flag === 'string') return flag;
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };

  const port = Number(read('PORT') ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, got ${read('PORT')}`);
  const host = read('HOST') ?? '127.0.0.1';

  const modeValue = flags.production === true ? 'production' : (read('OPENCIBA_MODE') ?? 'development');
  if (modeValue !== 'development' && modeValue !== 'production') {
    throw new ConfigError(`OPENCIBA_MODE must be development or production, got ${modeValue}`);
  }
  const mode: Mode = modeValue;

  const displayHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const publicUrl = (read('OPENCIBA_PUBLIC_URL') ?? `http://${displayHost}:${port}`).replace(/\/+$/, '');
  try {
    const url = new URL(publicUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    if (url.search || url.hash) throw new Error('query');
  } catch {
    throw new ConfigError(`OPENCIBA_PUBLIC_URL must be an absolute http(s) URL without query, got ${publicUrl}`);
  }

  if (mode === 'production' && !publicUrl.startsWith('https://')) {
    // Issuers, token endpoints and notification rules all assume TLS outside development.
    throw new ConfigError('production mode needs OPENCIBA_PUBLIC_URL to be an https URL (TLS may end at a proxy in front)');
  }

  const adminToken = read('OPENCIBA_ADMIN_TOKEN');
  if (adminToken !== undefined && (adminToken.length < 16 || !/^[A-Za-z0-9\-._~+/]+=*$/.test(adminToken))) {
    throw new ConfigError('OPENCIBA_ADMIN_TOKEN must be at least 16 characters of token syntax (RFC 6750)');
  }

  const demoValue = read('OPENCIBA_DEMO');
  return {
    port,
    host,
    dataDir: resolve(read('OPENCIBA_DATA_DIR') ?? './data'),
    databaseUrl: read('DATABASE_URL'),
    adminToken,
    publicUrl,
    mode,
    demo: mode === 'development' && demoValue !== '0' && demoValue !== 'false',
    masterKey: read('OPENCIBA_MASTER_KEY'),
    logLevel: read('LOG_LEVEL') ?? (mode === 'development' ? 'info' : 'info'),
    bodyLimit: Number(read('OPENCIBA_BODY_LIMIT') ?? 1024 * 1024),
    engineUrl: read('OPENCIBA_ENGINE_URL')?.replace(/\/+$/, ''),
    engineToken: read('OPENCIBA_ENGINE_TOKEN'),
    outboxLeaseMs: read('OPENCIBA_OUTBOX_LEASE_MS') === undefined ? undefined : Number(read('OPENCIBA_OUTBOX_LEASE_MS')),
  };
}
