import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe as serve } from '../support/cli.js';
import { bearer, request } from '../support/http.js';

/** Runs a command that must succeed; its standard output. */
function succeed(args: string[], env: Record<string, string> = {}, input?: string): string {
  const done = runCli(args, env, input);
  expect(done.status, done.stderr).toBe(0);
  return done.stdout;
}

describe('openciba command line', () => {
  let dataDir: string;

  beforeAll(() => {
    // The global setup has built dist/ as `npm start` does.
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-cli-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('--help lists the commands', () => {
    const help = succeed(['--help']);
    for (const word of ['serve', 'migrate', 'token create', 'OPENCIBA_ADMIN_TOKEN', 'DATABASE_URL']) expect(help).toContain(word);
  });

  it('an unknown command or flag exits 2 with a message', () => {
    expect(runCli(['fly'])).toMatchObject({ status: 2, stdout: '', stderr: expect.stringMatching(/^unknown command: fly\n[^]*Usage:/) });
    expect(runCli(['serve', '--no-such-flag'])).toMatchObject({ status: 2, stdout: '', stderr: expect.stringMatching(/^openciba: Unknown option '--no-such-flag'/) });
  });

  it('first start in development mode prints the organization token once and seeds a working demo', async () => {
    const first = await serve({ OPENCIBA_DATA_DIR: dataDir });
    let generated: string | undefined;
    try {
      expect(first.output()).toContain('DEVELOPMENT MODE');
      const token = /Organization token[^\n]*\n\s+(\S+)/.exec(first.output())?.[1];
      generated = token;
      const serviceId = /service id\s+(\d+)/.exec(first.output())?.[1];
      const clientId = /client id\s+(\d+)/.exec(first.output())?.[1];
      const secret = /client secret\s+(\S+)/.exec(first.output())?.[1];
      expect(token && serviceId && clientId && secret).toBeTruthy();
      expect(first.output()).toContain(`/s/${serviceId}/device`);
      expect(first.output()).toContain('alice, bob');

      const client = await request(`${first.url}/api/${serviceId}/client/get/${clientId}`, { headers: bearer(token!) });
      expect(client.status).toBe(200);
      expect(client.json).toMatchObject({ clientSecret: secret, bcDeliveryMode: 'POLL', tokenAuthMethod: 'CLIENT_SECRET_BASIC', clientType: 'CONFIDENTIAL' });

      // The docs are served from the same schemas.
      const openapi = await request(`${first.url}/api/openapi.json`);
      expect(openapi.json.openapi).toBe('3.0.3');
      expect(Object.keys(openapi.json.paths)).toEqual(expect.arrayContaining(['/api/service/create', '/api/{serviceId}/client/create']));
      expect((await request(`${first.url}/docs/`)).status).toBe(200);

      // Secrets at rest: the key file is private; the token is not stored in clear.
      expect(statSync(join(dataDir, 'master.key')).mode & 0o077).toBe(0);
      const minted = succeed(['token', 'create', '--service', serviceId!], { OPENCIBA_DATA_DIR: dataDir, OPENCIBA_DEMO: '0' }).trim();
      expect((await request(`${first.url}/api/${serviceId}/service/get`, { headers: bearer(minted) })).status).toBe(200);
      const revoked = succeed(['token', 'revoke', '--token-stdin'], { OPENCIBA_DATA_DIR: dataDir, OPENCIBA_DEMO: '0' }, `${minted}\n`);
      expect(revoked).toContain('revoked');
      expect((await request(`${first.url}/api/${serviceId}/service/get`, { headers: bearer(minted) })).status).toBe(401);
    } finally {
      expect(await first.stop()).toBe(0);
    }

    const second = await serve({ OPENCIBA_DATA_DIR: dataDir });
    try {
      expect(second.output()).not.toContain('Organization token');
      expect(second.output()).not.toContain('Demo seeded');
      expect((await request(`${second.url}/api/service/get/list`, { headers: bearer(generated!) })).status).toBe(200);
    } finally {
      await second.stop();
    }

    // A configured admin token replaces the generated one.
    const third = await serve({ OPENCIBA_DATA_DIR: dataDir, OPENCIBA_ADMIN_TOKEN: 'configured-admin-token-0123' });
    try {
      expect((await request(`${third.url}/api/service/get/list`, { headers: bearer(generated!) })).status).toBe(401);
      expect((await request(`${third.url}/api/service/get/list`, { headers: bearer('configured-admin-token-0123') })).status).toBe(200);
    } finally {
      await third.stop();
    }
  }, 60_000);

  it('production mode seeds nothing and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openciba-prod-'));
    expect(runCli(['serve', '--production'], { OPENCIBA_DATA_DIR: dir })).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^openciba: .*OPENCIBA_PUBLIC_URL to be an https URL/),
    });
    const started = await serve(
      { OPENCIBA_DATA_DIR: dir, OPENCIBA_ADMIN_TOKEN: 'production-admin-token-123456', OPENCIBA_PUBLIC_URL: 'https://as.example.test' },
      ['--production'],
    );
    try {
      expect(started.output()).toContain('production mode');
      expect(started.output()).not.toContain('Demo seeded');
      expect(started.output()).not.toContain('Organization token');
      const list = await request(`${started.url}/api/service/get/list`, { headers: bearer('production-admin-token-123456') });
      expect(list.json.totalCount).toBe(0);
      const created = await request(`${started.url}/api/service/create`, {
        method: 'POST', headers: { ...bearer('production-admin-token-123456'), 'content-type': 'application/json' }, body: '{}',
      });
      expect(created.status).toBe(200);
      expect(created.json.issuer).toBe(`https://as.example.test/s/${created.json.apiKey}`);
      // Loopback notification endpoints are for development only.
      const client = await request(`${started.url}/api/${created.json.apiKey}/client/create`, {
        method: 'POST',
        headers: { ...bearer('production-admin-token-123456'), 'content-type': 'application/json' },
        body: JSON.stringify({ bcDeliveryMode: 'PING', bcNotificationEndpoint: 'https://127.0.0.1/cb' }),
      });
      expect(client.status).toBe(400);
    } finally {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('development mode refuses a non-loopback HOST (exit 2 and why) unless forced with --dev-allow-remote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openciba-remote-'));
    const refused = (host: string) =>
      `openciba: HOST ${host} is not a loopback address (127.0.0.0/8, ::1, localhost): in development mode the device simulator approves any request without authentication, ` +
      'so anyone who reaches the port could obtain tokens for any user; use production mode, or set OPENCIBA_DEV_ALLOW_REMOTE=1 (--dev-allow-remote) to accept that risk\n';
    try {
      expect(runCli(['serve'], { OPENCIBA_DATA_DIR: dir, HOST: '0.0.0.0' })).toEqual({ status: 2, stdout: '', stderr: refused('0.0.0.0') });
      expect(runCli(['serve', '--host', '192.168.1.10'], { OPENCIBA_DATA_DIR: dir })).toEqual({ status: 2, stdout: '', stderr: refused('192.168.1.10') });

      const started = await serve({ OPENCIBA_DATA_DIR: dir, HOST: '0.0.0.0', OPENCIBA_DEMO: '0', OPENCIBA_ADMIN_TOKEN: 'remote-admin-token-0123456789' }, ['--dev-allow-remote']);
      try {
        expect(started.output()).toContain('DEVELOPMENT MODE');
        expect(started.output()).toContain('WARNING: listening on 0.0.0.0, beyond loopback');
        expect((await request(`${started.url}/health`)).status).toBe(200);
      } finally {
        expect(await started.stop()).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('manages users of the built-in directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openciba-users-'));
    const env = { PATH: process.env.PATH ?? '', OPENCIBA_DATA_DIR: dir, OPENCIBA_ADMIN_TOKEN: 'cli-admin-token-0123456789' };
    const started = await serve(env);
    let serviceId: number;
    try {
      serviceId = (await request(`${started.url}/api/service/create`, {
        method: 'POST', headers: { ...bearer(env.OPENCIBA_ADMIN_TOKEN), 'content-type': 'application/json' }, body: '{}',
      })).json.apiKey;
      const cli1 = (args: string[], input?: string) => succeed(args, env, input);
      // The user code comes from standard input, never from the command line (the process list).
      const putDave = ['user', 'put', '--service', String(serviceId), '--subject', 'dave', '--email', 'dave@example.com', '--name', 'Dave', '--user-code-stdin'];
      expect(putDave.join(' ')).not.toContain('heron-2286-moss');
      expect(cli1(putDave, 'heron-2286-moss\n')).toContain('created user dave');
      expect(cli1(['user', 'put', '--service', String(serviceId), '--subject', 'dave', '--status', 'locked'])).toContain('updated user dave');
      expect(cli1(['user', 'list', '--service', String(serviceId)])).toBe('dave\tlocked\tdave@example.com\t\tDave\n');
      // The server sees what the command wrote.
      const user = await request(`${started.url}/admin/services/${serviceId}/users/dave`, { headers: bearer(env.OPENCIBA_ADMIN_TOKEN) });
      expect(user.json).toMatchObject({ subject: 'dave', status: 'locked', email: 'dave@example.com', name: 'Dave', hasUserCode: true });
      expect(JSON.stringify(user.json)).not.toContain('heron-2286-moss');
      expect(cli1(['user', 'delete', '--service', String(serviceId), '--subject', 'dave'])).toContain('deleted user dave');
      // Exit status and message, so that a crash or a database error cannot pass for the refusal.
      const run = (args: string[]) => runCli(args, env);
      expect(run(['user', 'delete', '--service', String(serviceId), '--subject', 'dave'])).toEqual({ status: 1, stdout: '', stderr: 'openciba: no user dave\n' });
      expect(run(['user', 'put', '--service', '1', '--subject', 'x'])).toEqual({ status: 2, stdout: '', stderr: 'openciba: no service 1\n' });
    } finally {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses secrets on the command line: --user-code, --admin-token, --token and a password in --database-url exit 2 and name the way that replaces them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openciba-argv-'));
    const env = { OPENCIBA_DATA_DIR: dir };
    const userCode =
      'openciba: --user-code is not accepted: a secret on the command line is visible in the process list; use --user-code-stdin (one line from standard input) or --user-code-file PATH\n';
    const adminToken =
      'openciba: --admin-token is not accepted: a secret on the command line is visible in the process list; set OPENCIBA_ADMIN_TOKEN or OPENCIBA_ADMIN_TOKEN_FILE (a file holding the token)\n';
    try {
      expect(runCli(['user', 'put', '--service', '1', '--subject', 'x', '--user-code', '1234'], env)).toEqual({ status: 2, stdout: '', stderr: userCode });
      expect(runCli(['user', 'put', '--service', '1', '--subject', 'x', '--user-code=1234'], env)).toEqual({ status: 2, stdout: '', stderr: userCode });
      expect(runCli(['serve', '--admin-token', 'argv-admin-token-0123456789'], env)).toEqual({ status: 2, stdout: '', stderr: adminToken });
      expect(runCli(['serve', '--admin-token=argv-admin-token-0123456789'], env)).toEqual({ status: 2, stdout: '', stderr: adminToken });
      expect(runCli(['token', 'revoke', '--token', 'some-api-token-0123456789'], env)).toEqual({
        status: 2,
        stdout: '',
        stderr: 'openciba: --token is not accepted: a secret on the command line is visible in the process list; use --token-stdin (one line from standard input) or --token-file PATH\n',
      });
      const withPassword = runCli(['migrate', '--database-url', 'postgres://openciba:s3cret-pw@127.0.0.1:1/openciba'], env);
      expect(withPassword.status).toBe(2);
      expect(withPassword.stderr).toContain('--database-url must not carry a password');
      expect(withPassword.stderr).not.toContain('s3cret-pw');
      expect(runCli(['token', 'revoke'], env)).toMatchObject({ status: 2, stderr: expect.stringContaining('--token-stdin') });
      expect(runCli(['token', 'revoke', '--token-file', join(dir, 'absent')], env)).toMatchObject({ status: 2, stderr: expect.stringContaining('cannot be read') });
      // The help names the new flags and no longer the secret ones.
      expect(runCli(['--help']).stdout).toContain('--user-code-stdin');
      expect(runCli(['--help']).stdout).not.toMatch(/--user-code C|--admin-token /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('user put reads the user code from standard input or a file, and refuses an empty or unreadable one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openciba-usercode-'));
    const env = { OPENCIBA_DATA_DIR: dir, OPENCIBA_ADMIN_TOKEN: 'usercode-admin-token-0123456789' };
    const started = await serve(env);
    try {
      const serviceId = String((await request(`${started.url}/api/service/create`, {
        method: 'POST', headers: { ...bearer(env.OPENCIBA_ADMIN_TOKEN), 'content-type': 'application/json' }, body: '{}',
      })).json.apiKey);
      const hasCode = async (subject: string) =>
        (await request(`${started.url}/admin/services/${serviceId}/users/${subject}`, { headers: bearer(env.OPENCIBA_ADMIN_TOKEN) })).json.hasUserCode;

      const codeFile = join(dir, 'code.txt');
      writeFileSync(codeFile, '4321\n');
      expect(succeed(['user', 'put', '--service', serviceId, '--subject', 'erin', '--user-code-file', codeFile], env)).toBe('created user erin\n');
      expect(await hasCode('erin')).toBe(true);
      expect(succeed(['user', 'put', '--service', serviceId, '--subject', 'frank', '--user-code-stdin'], env, '9999\r\nignored second line\n')).toBe('created user frank\n');
      expect(await hasCode('frank')).toBe(true);

      const refused = (args: string[], input: string | undefined, message: string) =>
        expect(runCli(['user', 'put', '--service', serviceId, '--subject', 'gina', ...args], env, input)).toEqual({ status: 2, stdout: '', stderr: `openciba: ${message}\n` });
      refused(['--user-code-stdin'], '\n', 'the user code read from standard input is empty');
      refused(['--user-code-stdin'], '', 'the user code read from standard input is empty');
      writeFileSync(codeFile, '\n');
      refused(['--user-code-file', codeFile], undefined, `the user code file ${codeFile} is empty`);
      refused(['--user-code-file', join(dir, 'missing.txt')], undefined, `the user code file ${join(dir, 'missing.txt')} cannot be read (ENOENT)`);
      refused(['--user-code-stdin', '--user-code-file', codeFile], '1\n', 'use one of --user-code-stdin and --user-code-file');
      refused(['--user-code-stdin'], `${'7'.repeat(65)}\n`, 'a user code is 1 to 64 characters');
      expect(await hasCode('gina')).toBe(undefined);
    } finally {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('production never generates or prints the organization token: refused without one, taken from OPENCIBA_ADMIN_TOKEN_FILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openciba-prod-token-'));
    const production = { OPENCIBA_DATA_DIR: dir, OPENCIBA_PUBLIC_URL: 'https://as.example.test' };
    try {
      expect(runCli(['serve', '--production'], production)).toEqual({
        status: 2,
        stdout: '',
        stderr:
          'openciba: production mode needs the organization token from OPENCIBA_ADMIN_TOKEN or OPENCIBA_ADMIN_TOKEN_FILE: it is never generated in production, where printing it would leave it in the logs\n',
      });
      // The refusal comes before anything is written: no key file, no database.
      expect(() => statSync(join(dir, 'master.key'))).toThrow();

      const tokenFile = join(dir, 'admin-token');
      const token = 'file-admin-token-0123456789abcdef';
      writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
      const started = await serve({ ...production, OPENCIBA_ADMIN_TOKEN_FILE: tokenFile }, ['--production']);
      try {
        expect(started.output()).toContain('production mode');
        expect(started.output()).not.toContain('Organization token');
        expect(started.output()).not.toContain(token);
        expect((await request(`${started.url}/api/service/get/list`, { headers: bearer(token) })).status).toBe(200);
      } finally {
        expect(await started.stop()).toBe(0);
      }
      expect(started.output()).not.toContain(token);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('serve refuses bad settings and a database sealed with another master key: exit status 2 and the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openciba-refusals-'));
    const base = { PATH: process.env.PATH ?? '', OPENCIBA_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    const run = (env: Record<string, string>) => {
      const done = runCli(['serve'], { ...base, ...env });
      return { status: done.status, stderr: done.stderr };
    };
    try {
      expect(run({ PORT: 'abc' })).toEqual({ status: 2, stderr: 'openciba: PORT must be a port number, got abc\n' });
      expect(run({ DATABASE_URL: 'mysql://openciba:hunter2@db/openciba' })).toEqual({ status: 2, stderr: 'openciba: DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)\n' });
      expect(run({ OPENCIBA_MASTER_KEY: 'correct horse battery staple correct horse battery staple' })).toEqual({
        status: 2,
        stderr: 'openciba: OPENCIBA_MASTER_KEY must be base64 or hex (it holds characters or a length neither allows)\n',
      });

      const started = await serve({ ...base, OPENCIBA_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') });
      expect(await started.stop()).toBe(0);
      expect(run({ PORT: '0', OPENCIBA_MASTER_KEY: Buffer.alloc(32, 2).toString('base64') })).toEqual({
        status: 2,
        stderr: "openciba: This database was set up with another master key: set OPENCIBA_MASTER_KEY (or the data directory's master.key) to the original one.\n",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('migrate applies the schema and is idempotent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openciba-migrate-'));
    const env = { PATH: process.env.PATH ?? '', OPENCIBA_DATA_DIR: dir };
    expect(succeed(['migrate'], env)).toContain('applied 0001-initial');
    expect(succeed(['migrate'], env)).toContain('up to date');
    rmSync(dir, { recursive: true, force: true });
  });
});
