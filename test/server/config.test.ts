import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, decodeMasterKey, loadConfig } from '../../src/server/config.js';

/** The ConfigError loadConfig throws for this environment (and flags), or a failure if it accepts it. */
function refusal(env: Record<string, string>, flags: Record<string, string | boolean> = {}): string {
  try {
    loadConfig(env, flags);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)} ${JSON.stringify(flags)}`);
}

// Fixed bytes, so that cutting its base64 text always leaves a non-canonical ending (byte 31 is 0xda).
const KEY_BYTES = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1));

describe('loadConfig', () => {
  it('takes the documented defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', publicUrl: 'http://127.0.0.1:8080', mode: 'development', demo: true, databaseUrl: undefined, masterKey: undefined, logLevel: 'info', bodyLimit: 1024 * 1024 });
  });

  it('accepts a production start with an https public URL, a PostgreSQL URL and a master key', () => {
    const config = loadConfig({
      OPENCIBA_MODE: 'production',
      OPENCIBA_PUBLIC_URL: 'https://login.example.com/',
      DATABASE_URL: 'postgresql://openciba:secret@db.example.com:5432/openciba',
      OPENCIBA_MASTER_KEY: KEY_BYTES.toString('base64'),
      PORT: '443',
    });
    expect(config).toMatchObject({ mode: 'production', publicUrl: 'https://login.example.com', port: 443, demo: false, databaseUrl: 'postgresql://openciba:secret@db.example.com:5432/openciba' });
  });

  it('turns the audit trail and metrics off only in development, and only when told exactly', () => {
    expect(loadConfig({})).toMatchObject({ auditTrail: true, metrics: true });
    expect(loadConfig({ OPENCIBA_AUDIT_TRAIL: 'on', OPENCIBA_METRICS: 'on' })).toMatchObject({ auditTrail: true, metrics: true });
    expect(loadConfig({ OPENCIBA_AUDIT_TRAIL: 'off', OPENCIBA_METRICS: 'off' })).toMatchObject({ auditTrail: false, metrics: false });
    expect(loadConfig({}, { 'audit-trail': 'off' })).toMatchObject({ auditTrail: false, metrics: true });
    const production = { OPENCIBA_MODE: 'production', OPENCIBA_PUBLIC_URL: 'https://login.example.com' };
    expect(refusal({ ...production, OPENCIBA_AUDIT_TRAIL: 'off' })).toMatch(/^OPENCIBA_AUDIT_TRAIL=off is refused in production mode/);
    expect(refusal({ ...production, OPENCIBA_METRICS: 'off' })).toMatch(/^OPENCIBA_METRICS=off is refused in production mode/);
    for (const value of ['0', 'false', 'OFF', 'no', ' off', 'off\n', 'x'.repeat(10_000)]) {
      expect(refusal({ OPENCIBA_AUDIT_TRAIL: value })).toBe(`OPENCIBA_AUDIT_TRAIL must be on or off, got ${value}`);
    }
    expect(refusal({ OPENCIBA_METRICS: 'off', OPENCIBA_METRICS_PORT: '9464' })).toMatch(/OPENCIBA_METRICS_PORT has nothing to serve/);
  });

  it.each(['abc', '65536', '-1', '0x1f90', '1e3', ' 80', '80.5'])('refuses PORT=%j', (value) => {
    expect(refusal({ PORT: value })).toBe(`PORT must be a port number, got ${value}`);
  });

  it('refuses an invalid --port flag the same way', () => {
    expect(refusal({}, { port: 'http' })).toBe('PORT must be a port number, got http');
  });

  it('refuses an unknown mode', () => {
    expect(refusal({ OPENCIBA_MODE: 'staging' })).toBe('OPENCIBA_MODE must be development or production, got staging');
  });

  it('refuses production without an https public URL, whether defaulted or given', () => {
    const message = 'production mode needs OPENCIBA_PUBLIC_URL to be an https URL (TLS may end at a proxy in front)';
    expect(refusal({ OPENCIBA_MODE: 'production' })).toBe(message);
    expect(refusal({ OPENCIBA_MODE: 'production', OPENCIBA_PUBLIC_URL: 'http://login.example.com' })).toBe(message);
    expect(refusal({}, { production: true, 'public-url': 'http://login.example.com' })).toBe(message);
  });

  it.each(['ftp://login.example.com', 'https://login.example.com/?tenant=1', 'login.example.com'])('refuses OPENCIBA_PUBLIC_URL=%j', (value) => {
    expect(refusal({ OPENCIBA_PUBLIC_URL: value })).toBe(`OPENCIBA_PUBLIC_URL must be an absolute http(s) URL without query, got ${value}`);
  });

  it('refuses a DATABASE_URL that is not a postgres:// URL, without echoing it (it may hold a password)', () => {
    for (const value of ['mysql://openciba:hunter2@db/openciba', 'sqlite:///var/lib/openciba.db', 'postgres//openciba:hunter2@db', 'hunter2']) {
      const message = refusal({ DATABASE_URL: value });
      expect(message, value).toBe('DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)');
    }
  });

  it('refuses an admin token that is short or not token syntax', () => {
    const message = 'OPENCIBA_ADMIN_TOKEN must be at least 16 characters of token syntax (RFC 6750)';
    expect(refusal({ OPENCIBA_ADMIN_TOKEN: 'short' })).toBe(message);
    expect(refusal({ OPENCIBA_ADMIN_TOKEN: 'has spaces in it, sixteen+' })).toBe(message);
  });

  it('reads the admin token from OPENCIBA_ADMIN_TOKEN_FILE (trailing newline trimmed) and refuses an unreadable, empty or conflicting one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openciba-config-'));
    try {
      const file = join(dir, 'token');
      writeFileSync(file, 'file-admin-token-0123456789\n');
      expect(loadConfig({ OPENCIBA_ADMIN_TOKEN_FILE: file }).adminToken).toBe('file-admin-token-0123456789');
      expect(loadConfig({}, { 'admin-token-file': file }).adminToken).toBe('file-admin-token-0123456789');
      writeFileSync(file, 'crlf-admin-token-0123456789\r\n');
      expect(loadConfig({ OPENCIBA_ADMIN_TOKEN_FILE: file }).adminToken).toBe('crlf-admin-token-0123456789');

      writeFileSync(file, '\n');
      expect(refusal({ OPENCIBA_ADMIN_TOKEN_FILE: file })).toBe(`OPENCIBA_ADMIN_TOKEN_FILE ${file} is empty`);
      const missing = join(dir, 'missing');
      expect(refusal({ OPENCIBA_ADMIN_TOKEN_FILE: missing })).toBe(`OPENCIBA_ADMIN_TOKEN_FILE ${missing} cannot be read (ENOENT)`);
      expect(refusal({ OPENCIBA_ADMIN_TOKEN_FILE: dir })).toBe(`OPENCIBA_ADMIN_TOKEN_FILE ${dir} cannot be read (EISDIR)`);
      // The same syntax rule as the variable, without echoing the file's content.
      writeFileSync(file, 'short\n');
      expect(refusal({ OPENCIBA_ADMIN_TOKEN_FILE: file })).toBe('the token in OPENCIBA_ADMIN_TOKEN_FILE must be at least 16 characters of token syntax (RFC 6750)');
      writeFileSync(file, 'file-admin-token-0123456789\n');
      expect(refusal({ OPENCIBA_ADMIN_TOKEN_FILE: file, OPENCIBA_ADMIN_TOKEN: 'env-admin-token-0123456789' })).toBe('set OPENCIBA_ADMIN_TOKEN or OPENCIBA_ADMIN_TOKEN_FILE, not both');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a malformed master key', () => {
    const cases: [string, string][] = [
      // Buffer's decoder would skip the spaces and the '!' and make a key of the rest.
      ['correct horse battery staple correct horse battery staple', 'OPENCIBA_MASTER_KEY must be base64 or hex (it holds characters or a length neither allows)'],
      [`${KEY_BYTES.toString('base64')}!`, 'OPENCIBA_MASTER_KEY must be base64 or hex (it holds characters or a length neither allows)'],
      // Cut short: 42 characters, whose last one carries bits past the 31st byte.
      [KEY_BYTES.toString('base64').slice(0, -2), 'OPENCIBA_MASTER_KEY must be base64 or hex (it holds characters or a length neither allows)'],
      [`${KEY_BYTES.toString('hex')}a`, 'OPENCIBA_MASTER_KEY in hex must have an even number of digits'],
      [randomBytes(16).toString('base64'), 'OPENCIBA_MASTER_KEY must hold at least 32 bytes (base64 or hex), got 16'],
    ];
    for (const [value, message] of cases) expect(refusal({ OPENCIBA_MASTER_KEY: value }), value).toBe(message);
  });

  it('reads the same master key from hex, base64 and base64url', () => {
    for (const text of [KEY_BYTES.toString('hex'), KEY_BYTES.toString('base64'), KEY_BYTES.toString('base64url'), ` ${KEY_BYTES.toString('base64')}\n`]) {
      expect(loadConfig({ OPENCIBA_MASTER_KEY: text }).masterKey, text).toBe(text);
      expect(decodeMasterKey(text).equals(KEY_BYTES), text).toBe(true);
    }
  });

  it('refuses an unknown log level, and body limits and lease times that are not positive whole numbers', () => {
    expect(refusal({ LOG_LEVEL: 'loud' })).toBe('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got loud');
    expect(refusal({ OPENCIBA_BODY_LIMIT: '1mb' })).toBe('OPENCIBA_BODY_LIMIT must be a whole number from 1 to 2147483647, got 1mb');
    expect(refusal({ OPENCIBA_BODY_LIMIT: '0' })).toBe('OPENCIBA_BODY_LIMIT must be a whole number from 1 to 2147483647, got 0');
    expect(refusal({ OPENCIBA_OUTBOX_LEASE_MS: '-5' })).toBe('OPENCIBA_OUTBOX_LEASE_MS must be a whole number from 300 to 600000, got -5');
    expect(loadConfig({ OPENCIBA_BODY_LIMIT: '2048', OPENCIBA_OUTBOX_LEASE_MS: '15000' })).toMatchObject({ bodyLimit: 2048, outboxLeaseMs: 15_000 });
    // A lease shorter than renewals can keep up with is refused, not quietly lengthened.
    expect(refusal({ OPENCIBA_OUTBOX_LEASE_MS: '299' })).toBe('OPENCIBA_OUTBOX_LEASE_MS must be a whole number from 300 to 600000, got 299');
  });

  it('reads the operations settings, and refuses values out of range or not whole numbers', () => {
    expect(loadConfig({})).toMatchObject({ metricsPort: undefined, shutdownGraceMs: 10_000, replayGraceMs: undefined });
    expect(loadConfig({ OPENCIBA_METRICS_PORT: '9464', OPENCIBA_SHUTDOWN_GRACE_MS: '0', OPENCIBA_REPLAY_GRACE_MS: '60000' })).toMatchObject({ metricsPort: 9464, shutdownGraceMs: 0, replayGraceMs: 60_000 });
    const cases: [Record<string, string>, string][] = [
      [{ OPENCIBA_METRICS_PORT: '0' }, 'OPENCIBA_METRICS_PORT must be a whole number from 1 to 65535, got 0'],
      [{ OPENCIBA_METRICS_PORT: '65536' }, 'OPENCIBA_METRICS_PORT must be a whole number from 1 to 65535, got 65536'],
      [{ OPENCIBA_METRICS_PORT: '9464; rm -rf /' }, 'OPENCIBA_METRICS_PORT must be a whole number from 1 to 65535, got 9464; rm -rf /'],
      [{ OPENCIBA_SHUTDOWN_GRACE_MS: '-1' }, 'OPENCIBA_SHUTDOWN_GRACE_MS must be a whole number from 0 to 600000, got -1'],
      [{ OPENCIBA_SHUTDOWN_GRACE_MS: '1e4' }, 'OPENCIBA_SHUTDOWN_GRACE_MS must be a whole number from 0 to 600000, got 1e4'],
      [{ OPENCIBA_REPLAY_GRACE_MS: '3600001' }, 'OPENCIBA_REPLAY_GRACE_MS must be a whole number from 0 to 3600000, got 3600001'],
      [{ OPENCIBA_REPLAY_GRACE_MS: '9'.repeat(40) }, `OPENCIBA_REPLAY_GRACE_MS must be a whole number from 0 to 3600000, got ${'9'.repeat(40)}`],
    ];
    for (const [env, message] of cases) expect(refusal(env), JSON.stringify(env)).toBe(message);
    // The flags of the same names.
    expect(loadConfig({}, { 'metrics-port': '9465', 'shutdown-grace-ms': '2500', 'outbox-lease-ms': '1500', 'replay-grace-ms': '0' })).toMatchObject({ metricsPort: 9465, shutdownGraceMs: 2500, outboxLeaseMs: 1500, replayGraceMs: 0 });
  });

  it('takes the key pre-publication time in whole seconds from 0 to 30 days, unset meaning the default', () => {
    expect(loadConfig({}).keyPrePublicationMs).toBeUndefined();
    expect(loadConfig({ OPENCIBA_KEY_PREPUBLICATION_SECONDS: '0' }).keyPrePublicationMs).toBe(0);
    expect(loadConfig({}, { 'key-prepublication-seconds': '90' }).keyPrePublicationMs).toBe(90_000);
    for (const bad of ['-1', '2592001', '1.5', '10m', ' 5']) {
      expect(refusal({ OPENCIBA_KEY_PREPUBLICATION_SECONDS: bad })).toBe(`OPENCIBA_KEY_PREPUBLICATION_SECONDS must be a whole number from 0 to 2592000, got ${bad}`);
    }
  });

  describe('development mode listens on loopback only (its device simulator approves anything)', () => {
    const remoteRefused = (host: string) =>
      `HOST ${host} is not a loopback address (127.0.0.0/8, ::1, localhost): in development mode the device simulator approves any request without authentication, ` +
      'so anyone who reaches the port could obtain tokens for any user; use production mode, or set OPENCIBA_DEV_ALLOW_REMOTE=1 (--dev-allow-remote) to accept that risk';

    it.each(['127.0.0.1', '127.45.6.7', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LocalHost'])('accepts HOST=%j', (host) => {
      expect(loadConfig({ HOST: host }).host).toBe(host);
    });

    it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', 'foo.localhost', '127.1', '128.0.0.1'])('refuses HOST=%j', (host) => {
      expect(refusal({ HOST: host })).toBe(remoteRefused(host));
    });

    it('refuses the --host flag the same way', () => {
      expect(refusal({}, { host: '0.0.0.0' })).toBe(remoteRefused('0.0.0.0'));
    });

    it('accepts a remote HOST when forced by OPENCIBA_DEV_ALLOW_REMOTE or --dev-allow-remote, and says so in the config', () => {
      expect(loadConfig({}).devAllowRemote).toBe(false);
      for (const value of ['1', 'true']) expect(loadConfig({ HOST: '0.0.0.0', OPENCIBA_DEV_ALLOW_REMOTE: value })).toMatchObject({ host: '0.0.0.0', devAllowRemote: true });
      expect(loadConfig({ HOST: '0.0.0.0' }, { 'dev-allow-remote': true })).toMatchObject({ host: '0.0.0.0', devAllowRemote: true });
      for (const value of ['0', 'false']) expect(refusal({ HOST: '0.0.0.0', OPENCIBA_DEV_ALLOW_REMOTE: value })).toBe(remoteRefused('0.0.0.0'));
    });

    it('refuses an OPENCIBA_DEV_ALLOW_REMOTE that is not 1, true, 0 or false', () => {
      expect(refusal({ OPENCIBA_DEV_ALLOW_REMOTE: 'yes' })).toBe('OPENCIBA_DEV_ALLOW_REMOTE must be 1, true, 0 or false, got yes');
    });

    it('does not restrict HOST in production mode', () => {
      expect(loadConfig({ OPENCIBA_MODE: 'production', OPENCIBA_PUBLIC_URL: 'https://login.example.com', HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    });
  });

  it('refuses an engine URL that is not an absolute http(s) URL', () => {
    expect(refusal({ OPENCIBA_ENGINE_URL: 'engine:8080' })).toBe('OPENCIBA_ENGINE_URL must be an absolute http(s) URL, got engine:8080');
    expect(loadConfig({ OPENCIBA_ENGINE_URL: 'https://engine.internal/' }).engineUrl).toBe('https://engine.internal');
  });
});
