#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../server/config.js';

// Each command's modules are imported when that command runs: `--help`, a refused flag or a
// one-off command does not load the HTTP server and everything behind it (a second of start-up).

const HELP = `openciba — a self-hostable OpenID Connect CIBA server with an Authlete-compatible API

Usage:
  openciba serve [--production] [--port N] [--host H] [--public-url URL] [--data-dir DIR] [--database-url URL]
                 [--dev-allow-remote]     development mode on a non-loopback HOST (the simulator approves anything)
  openciba migrate                         apply database migrations and exit
  openciba token create --service ID       mint a service access token (printed once)
  openciba token revoke --token-stdin | --token-file PATH
                                           revoke an API token (a service's, or a generated organization token)
  openciba user put --service ID --subject S [--email E] [--phone P] [--name N] [--status active|locked]
                    [--user-code-stdin | --user-code-file PATH]   the user code: one line from standard input, or a file
  openciba user list --service ID          users of the built-in directory (tab-separated)
  openciba user delete --service ID --subject S
  openciba key rotate --service ID [--alg RS256|PS256|ES256|EdDSA]
                                           publish a new signing key; it signs after OPENCIBA_KEY_PREPUBLICATION_SECONDS
                                           (without --alg: a new key for every algorithm that has a current key)
  openciba key list --service ID           the service's signing keys and their states (JSON)
  openciba user enrol --service ID --subject S [--expires-in SECONDS]   a one-time link to enrol a phone's authenticator app
  openciba user devices --service ID --subject S                        her enrolled devices (tab-separated)
  openciba user revoke-device --service ID --subject S --device DEVICE_ID
  openciba audit verify --service ID       check the service's audit hash chain (exit 1 names the first bad seq)
  openciba --help

Settings come from the environment, or the flags of the same name:
  PORT (8080)  HOST (127.0.0.1)  OPENCIBA_DATA_DIR (./data)  DATABASE_URL (postgres://… selects PostgreSQL)
  OPENCIBA_ADMIN_TOKEN or OPENCIBA_ADMIN_TOKEN_FILE (a file holding it; required in production, where none is generated)
  OPENCIBA_PUBLIC_URL  OPENCIBA_MODE (development|production)  OPENCIBA_DEMO (1|0)
  OPENCIBA_MASTER_KEY (base64 of 32 bytes; required to share one database between nodes)
  OPENCIBA_DEV_ALLOW_REMOTE (1|0: let development mode listen beyond loopback; it has no user authentication)
  OPENCIBA_KEY_PREPUBLICATION_SECONDS (600: how long a rotated-in key is published before it signs)
  OPENCIBA_METRICS_PORT (a listener serving only /metrics, no token)  OPENCIBA_SHUTDOWN_GRACE_MS (10000)
  OPENCIBA_OUTBOX_LEASE_MS (3000)  OPENCIBA_REPLAY_GRACE_MS (30000)
  OPENCIBA_AUDIT_RETENTION_DAYS (400: audit events older than this are purged behind a checkpoint)
  OPENCIBA_AUDIT_TRAIL, OPENCIBA_METRICS (on|off; off only in development, to measure their cost)
The organization token, API tokens, user codes and database passwords are never taken as flags: the process list\nshows flags to every local user.
`;

/** Flags that once carried secrets on the command line, refused with the way that replaces them. */
const SECRET_FLAGS: Record<string, string> = {
  '--user-code': 'use --user-code-stdin (one line from standard input) or --user-code-file PATH',
  '--admin-token': 'set OPENCIBA_ADMIN_TOKEN or OPENCIBA_ADMIN_TOKEN_FILE (a file holding the token)',
  '--token': 'use --token-stdin (one line from standard input) or --token-file PATH',
};

function refuseSecretFlags(argv: string[]): void {
  for (const arg of argv) {
    if (arg === '--') return;
    const name = arg.split('=', 1)[0]!;
    const instead = SECRET_FLAGS[name];
    if (instead !== undefined) {
      throw new ConfigError(`${name} is not accepted: a secret on the command line is visible in the process list; ${instead}`);
    }
  }
}

/** A database URL on the command line may name the server, never its password. */
function refusePasswordInDatabaseUrlFlag(url: string | undefined): void {
  if (url === undefined) return;
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    return; // loadConfig explains a malformed URL
  }
  if (password !== '') {
    throw new ConfigError('--database-url must not carry a password (the process list shows it): set DATABASE_URL instead, or leave the password out and use PGPASSWORD or ~/.pgpass');
  }
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  production: { type: 'boolean' },
  'dev-allow-remote': { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  'public-url': { type: 'string' },
  'data-dir': { type: 'string' },
  'metrics-port': { type: 'string' },
  'audit-trail': { type: 'string' },
  metrics: { type: 'string' },
  'shutdown-grace-ms': { type: 'string' },
  'outbox-lease-ms': { type: 'string' },
  'replay-grace-ms': { type: 'string' },
  'database-url': { type: 'string' },
  'admin-token-file': { type: 'string' },
  mode: { type: 'string' },
  demo: { type: 'string' },
  service: { type: 'string' },
  description: { type: 'string' },
  subject: { type: 'string' },
  email: { type: 'string' },
  phone: { type: 'string' },
  name: { type: 'string' },
  status: { type: 'string' },
  'user-code-stdin': { type: 'boolean' },
  'user-code-file': { type: 'string' },
  'token-stdin': { type: 'boolean' },
  'token-file': { type: 'string' },
  alg: { type: 'string' },
  'key-prepublication-seconds': { type: 'string' },
  'expires-in': { type: 'string' },
  device: { type: 'string' },
} as const;

async function main(argv: string[]): Promise<number> {
  refuseSecretFlags(argv);
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, sub] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  refusePasswordInDatabaseUrlFlag(values['database-url']);
  const flags = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Record<string, string | boolean>;
  const config: Config = loadConfig(process.env, flags);
  switch (command) {
    case 'serve': {
      const [{ serve }, { printBanner }] = await Promise.all([import('../server/serve.js'), import('./banner.js')]);
      const runtime = await serve(config);
      printBanner(config, runtime);
      return -1; // keep running
    }
    case 'migrate':
      return (await import('./commands.js')).runMigrate(config);
    case 'token': {
      const { runTokenCreate, runTokenRevoke } = await import('./commands.js');
      if (sub === 'create') return runTokenCreate(config, values.service, values.description);
      if (sub === 'revoke') return runTokenRevoke(config, { stdin: values['token-stdin'], file: values['token-file'] });
      break;
    }
    case 'user':
      return (await import('./user-commands.js')).runUserCommand(config, sub, values);
    case 'key':
      return (await import('./key-commands.js')).runKeyCommand(config, sub, values);
    case 'audit':
      return (await import('./audit-commands.js')).runAuditCommand(config, sub, values);
  }
  process.stderr.write(`unknown command: ${positionals.join(' ')}\n\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`openciba: ${(error as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`openciba: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
