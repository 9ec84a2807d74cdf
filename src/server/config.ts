import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { resolve } from 'node:path';
import type { Mode } from '../lib/mode.js';
import { loadTlsConfig, type TlsConfig } from './tls-config.js';

export interface Config {
  port: number;
  host: string;
  /** Development mode on a non-loopback HOST, forced by OPENCIBA_DEV_ALLOW_REMOTE / --dev-allow-remote. */
  devAllowRemote: boolean;
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
  /** How long a rotated-in signing key is published before it signs (OPENCIBA_KEY_PREPUBLICATION_SECONDS). */
  keyPrePublicationMs: number | undefined;
  /** OPENCIBA_METRICS_PORT: a listener of its own serving only /metrics, without a token. */
  metricsPort: number | undefined;
  /** OPENCIBA_SHUTDOWN_GRACE_MS: how long SIGTERM waits for requests and deliveries in flight. */
  shutdownGraceMs: number;
  /**
   * OPENCIBA_REPLAY_GRACE_MS: how long after a redemption a repeat by the same client is only
   * refused, not taken for a replay that revokes the tokens (docs/security.md, "Duplicate pings").
   */
  replayGraceMs: number | undefined;
  /** Direct TLS, the client CA bundle and the trusted proxy's certificate header (tls-config.ts). */
  tls: TlsConfig;
  /** How long audit events are kept (OPENCIBA_AUDIT_RETENTION_DAYS); housekeeping purges older ones behind a checkpoint. */
  auditRetentionDays: number;
  /** OPENCIBA_AUDIT_TRAIL=off (development only): nothing is recorded in the audit trail; for measuring its cost. */
  auditTrail: boolean;
  /** OPENCIBA_METRICS=off (development only): nothing is counted and /metrics is not served; for measuring its cost. */
  metrics: boolean;
}

export class ConfigError extends Error {}

/**
 * A switch that turns evidence or observability off, which only development mode takes: a bank
 * cannot run without its evidence, and an operator must not find the counters silently dead.
 */
function developmentOnlySwitch(name: string, text: string | undefined, mode: 'development' | 'production'): boolean {
  if (text === undefined || text === 'on') return true;
  if (text !== 'off') throw new ConfigError(`${name} must be on or off, got ${text}`);
  if (mode === 'production') throw new ConfigError(`${name}=off is refused in production mode: it exists to measure its cost in development`);
  return false;
}

export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * The master key from its text: hex (an even number of digits) or base64 / base64url, at least
 * 32 bytes. Strict, because Buffer's decoders skip what they do not understand, and a key with
 * a typo must not silently become another key.
 */
export function decodeMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64,}$/.test(trimmed)) {
    if (trimmed.length % 2 !== 0) throw new ConfigError('OPENCIBA_MASTER_KEY in hex must have an even number of digits');
    return Buffer.from(trimmed, 'hex');
  }
  const unpadded = trimmed.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  const key = Buffer.from(unpadded, 'base64');
  if (!/^[A-Za-z0-9+/]+$/.test(unpadded) || key.toString('base64').replace(/=+$/, '') !== unpadded) {
    throw new ConfigError('OPENCIBA_MASTER_KEY must be base64 or hex (it holds characters or a length neither allows)');
  }
  if (key.length < 32) throw new ConfigError(`OPENCIBA_MASTER_KEY must hold at least 32 bytes (base64 or hex), got ${key.length}`);
  return key;
}

/** A whole number within bounds, from its decimal text, else a ConfigError naming the setting. */
function wholeNumber(name: string, text: string, min: number, max: number): number {
  const value = /^[0-9]{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got ${text}`);
  return value;
}

function checkDatabaseUrl(value: string | undefined): void {
  if (value === undefined) return;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // Never echo the value: it usually holds a password.
  if (!url || !/^postgres(ql)?:$/i.test(url.protocol)) throw new ConfigError('DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)');
}

function checkEngineUrl(value: string | undefined): void {
  if (value === undefined) return;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return;
  } catch {
    // Reported below.
  }
  throw new ConfigError(`OPENCIBA_ENGINE_URL must be an absolute http(s) URL, got ${value}`);
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * A listening address that only this machine can reach: 127.0.0.0/8, ::1 (IPv4-mapped forms
 * included) or the name localhost. Other names are refused, as what they resolve to is not known here.
 */
export function isLoopbackListenAddress(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const kind = isIP(host);
  return kind !== 0 && LOOPBACK.check(host, kind === 4 ? 'ipv4' : 'ipv6');
}

function yesNo(name: string, text: string | undefined): boolean {
  if (text === undefined || text === '0' || text === 'false') return false;
  if (text === '1' || text === 'true') return true;
  throw new ConfigError(`${name} must be 1, true, 0 or false, got ${text}`);
}

const TOKEN_SYNTAX = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The organization token, from OPENCIBA_ADMIN_TOKEN or from the file OPENCIBA_ADMIN_TOKEN_FILE
 * names (a mounted secret; its trailing newline trimmed). Messages never echo the token.
 */
function readAdminToken(value: string | undefined, file: string | undefined): string | undefined {
  if (value !== undefined && file !== undefined) throw new ConfigError('set OPENCIBA_ADMIN_TOKEN or OPENCIBA_ADMIN_TOKEN_FILE, not both');
  if (file === undefined) {
    if (value !== undefined && (value.length < 16 || !TOKEN_SYNTAX.test(value))) {
      throw new ConfigError('OPENCIBA_ADMIN_TOKEN must be at least 16 characters of token syntax (RFC 6750)');
    }
    return value;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`OPENCIBA_ADMIN_TOKEN_FILE ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const token = text.replace(/(\r?\n)+$/, '');
  if (token === '') throw new ConfigError(`OPENCIBA_ADMIN_TOKEN_FILE ${file} is empty`);
  if (token.length < 16 || !TOKEN_SYNTAX.test(token)) {
    throw new ConfigError('the token in OPENCIBA_ADMIN_TOKEN_FILE must be at least 16 characters of token syntax (RFC 6750)');
  }
  return token;
}

/**
 * Production never generates the organization token: printed once, it would rest in the log
 * storage. The runtime calls this before it writes anything.
 */
export function requireConfiguredAdminToken(config: Config): void {
  if (config.mode === 'production' && config.adminToken === undefined) {
    throw new ConfigError(
      'production mode needs the organization token from OPENCIBA_ADMIN_TOKEN or OPENCIBA_ADMIN_TOKEN_FILE: it is never generated in production, where printing it would leave it in the logs',
    );
  }
}

/** Flag names are the environment names in kebab case: --port, --public-url, --database-url … */
export function loadConfig(env: NodeJS.ProcessEnv, flags: Record<string, string | boolean> = {}): Config {
  const read = (name: string): string | undefined => {
    const flag = flags[name.toLowerCase().replace(/^openciba_/, '').replace(/_/g, '-')];
    if (typeof flag === 'string') return flag;
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };

  const portText = read('PORT') ?? '8080';
  // Decimal digits only: Number() would also take "0x1f90", "1e3" or " 80".
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError(`PORT must be a port number, got ${portText}`);
  const host = read('HOST') ?? '127.0.0.1';

  const modeValue = flags.production === true ? 'production' : (read('OPENCIBA_MODE') ?? 'development');
  if (modeValue !== 'development' && modeValue !== 'production') {
    throw new ConfigError(`OPENCIBA_MODE must be development or production, got ${modeValue}`);
  }
  const mode: Mode = modeValue;

  // Development mode has no user authentication at all (the device simulator approves any
  // request), so it must not be reachable from other machines unless the operator says so.
  const devAllowRemote = flags['dev-allow-remote'] === true || yesNo('OPENCIBA_DEV_ALLOW_REMOTE', read('OPENCIBA_DEV_ALLOW_REMOTE'));
  if (mode === 'development' && !devAllowRemote && !isLoopbackListenAddress(host)) {
    throw new ConfigError(
      `HOST ${host} is not a loopback address (127.0.0.0/8, ::1, localhost): in development mode the device simulator approves any request without authentication, ` +
        'so anyone who reaches the port could obtain tokens for any user; use production mode, or set OPENCIBA_DEV_ALLOW_REMOTE=1 (--dev-allow-remote) to accept that risk',
    );
  }

  const tls = loadTlsConfig(read, (message) => new ConfigError(message), (name) => yesNo(name, read(name)));
  const displayHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const publicUrl = (read('OPENCIBA_PUBLIC_URL') ?? `${tls.server ? 'https' : 'http'}://${displayHost}:${port}`).replace(/\/+$/, '');
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

  const adminToken = readAdminToken(read('OPENCIBA_ADMIN_TOKEN'), read('OPENCIBA_ADMIN_TOKEN_FILE'));

  const databaseUrl = read('DATABASE_URL');
  checkDatabaseUrl(databaseUrl);
  const masterKey = read('OPENCIBA_MASTER_KEY');
  if (masterKey !== undefined) decodeMasterKey(masterKey);
  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${logLevel}`);
  const bodyLimitText = read('OPENCIBA_BODY_LIMIT');
  const leaseText = read('OPENCIBA_OUTBOX_LEASE_MS');
  const prePublicationText = read('OPENCIBA_KEY_PREPUBLICATION_SECONDS');
  const metricsPortText = read('OPENCIBA_METRICS_PORT');
  const graceText = read('OPENCIBA_SHUTDOWN_GRACE_MS');
  const replayGraceText = read('OPENCIBA_REPLAY_GRACE_MS');
  const retentionText = read('OPENCIBA_AUDIT_RETENTION_DAYS');
  const engineUrl = read('OPENCIBA_ENGINE_URL');
  checkEngineUrl(engineUrl);
  const auditTrail = developmentOnlySwitch('OPENCIBA_AUDIT_TRAIL', read('OPENCIBA_AUDIT_TRAIL'), mode);
  const metrics = developmentOnlySwitch('OPENCIBA_METRICS', read('OPENCIBA_METRICS'), mode);
  if (!metrics && metricsPortText !== undefined) throw new ConfigError('OPENCIBA_METRICS_PORT has nothing to serve with OPENCIBA_METRICS=off');

  const demoValue = read('OPENCIBA_DEMO');
  return {
    port,
    host,
    devAllowRemote: mode === 'development' && devAllowRemote,
    dataDir: resolve(read('OPENCIBA_DATA_DIR') ?? './data'),
    databaseUrl,
    adminToken,
    publicUrl,
    mode,
    demo: mode === 'development' && demoValue !== '0' && demoValue !== 'false',
    masterKey,
    logLevel,
    bodyLimit: bodyLimitText === undefined ? 1024 * 1024 : wholeNumber('OPENCIBA_BODY_LIMIT', bodyLimitText, 1, 2 ** 31 - 1),
    engineUrl: engineUrl?.replace(/\/+$/, ''),
    engineToken: read('OPENCIBA_ENGINE_TOKEN'),
    // Up to 30 days; 0 lets a new key sign at once (for a key set nobody has cached yet).
    keyPrePublicationMs: prePublicationText === undefined ? undefined : wholeNumber('OPENCIBA_KEY_PREPUBLICATION_SECONDS', prePublicationText, 0, 2_592_000) * 1000,
    outboxLeaseMs: leaseText === undefined ? undefined : wholeNumber('OPENCIBA_OUTBOX_LEASE_MS', leaseText, 300, 600_000),
    metricsPort: metricsPortText === undefined ? undefined : wholeNumber('OPENCIBA_METRICS_PORT', metricsPortText, 1, 65_535),
    shutdownGraceMs: graceText === undefined ? DEFAULT_SHUTDOWN_GRACE_MS : wholeNumber('OPENCIBA_SHUTDOWN_GRACE_MS', graceText, 0, 600_000),
    replayGraceMs: replayGraceText === undefined ? undefined : wholeNumber('OPENCIBA_REPLAY_GRACE_MS', replayGraceText, 0, 3_600_000),
    tls,
    auditRetentionDays: retentionText === undefined ? DEFAULT_AUDIT_RETENTION_DAYS : wholeNumber('OPENCIBA_AUDIT_RETENTION_DAYS', retentionText, 1, 36_500),
    auditTrail,
    metrics,
  };
}

/** A little over a year: a dispute or an audit of the last year finds its evidence. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;
