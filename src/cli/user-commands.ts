import { ConfigError, type Config } from '../server/config.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/ports.js';
import { hashUserCode } from '../lib/user-code-hash.js';
import { readSecret } from './secret-input.js';
import { engineRevocation } from '../server/engine-revocation.js';
import { runAuthenticatorCommand, type AuthenticatorFlags } from './authenticator-commands.js';
import { createAuditSink } from '../server/audit/audit-sink.js';
import { loadMasterKey } from '../server/master-key.js';
import { createKeyring } from '../lib/keyring.js';
import { systemClock } from '../lib/clock.js';
import { cryptoRandom } from '../lib/random.js';

export interface UserFlags {
  service?: string | undefined;
  subject?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  name?: string | undefined;
  status?: string | undefined;
  'user-code-stdin'?: boolean | undefined;
  'user-code-file'?: string | undefined;
}

/** The user code from standard input or a file; undefined when neither flag is given. */
async function readUserCode(flags: UserFlags): Promise<string | undefined> {
  const code = await readSecret({ stdin: flags['user-code-stdin'], file: flags['user-code-file'] }, 'user code', '--user-code');
  // The admin API's rule (POST/PUT /admin/services/{id}/users/{subject}).
  if (code !== undefined && code.length > 64) throw new ConfigError('a user code is 1 to 64 characters');
  return code;
}

/** A directory change made here, in the service's audit trail: the actor is whoever runs the command line on the database. */
type RecordChange = (action: 'create' | 'update' | 'delete' | 'lock' | 'unlock', target: string, changes: string[], about?: { resource: 'device'; subject: string }) => Promise<void>;

export async function withStore<T>(config: Config, run: (store: Store, serviceId: number, recordChange: RecordChange) => Promise<T>, flags: UserFlags): Promise<T> {
  if (!flags.service || !/^[0-9]{1,15}$/.test(flags.service)) throw new ConfigError('this command needs --service <service id>');
  const { store } = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (config.engineUrl === undefined && !(await store.getService(Number(flags.service)))) throw new ConfigError(`no service ${flags.service}`);
    const serviceId = Number(flags.service);
    const audit = createAuditSink({ store, keyring: createKeyring(loadMasterKey(config).key), clock: systemClock, random: cryptoRandom });
    const recordChange: RecordChange = (action, target, changes, about) =>
      audit.record({
        serviceId,
        type: 'admin.changed',
        ...(about ? { subject: about.subject } : {}),
        data: { actor: 'cli', resource: about?.resource ?? 'user', action, target, ...(changes.length > 0 ? { changes } : {}) },
      });
    return await run(store, serviceId, recordChange);
  } finally {
    await store.close();
  }
}

/**
 * With a remote engine (OPENCIBA_ENGINE_URL), her tokens live in its database: the engine revokes
 * them as well, after the local change (as the admin API does). 0, or 1 with the reason on stderr;
 * the same command run again retries.
 */
async function alsoAtEngine(config: Config, serviceId: number, subject: string): Promise<number> {
  const problem = await engineRevocation(config)?.(serviceId, subject);
  if (problem === undefined) return 0;
  process.stderr.write(`openciba: changed here, but the remote engine did not revoke her tokens (${problem}); the front refuses them meanwhile; run the command again to retry\n`);
  return 1;
}

/** `openciba user put|list|delete`: the built-in user directory, as /admin/services/{id}/users. */
export async function runUserCommand(config: Config, action: string | undefined, flags: AuthenticatorFlags): Promise<number> {
  switch (action) {
    case 'put':
      return withStore(config, async (store, serviceId, recordChange) => {
        if (!flags.subject) throw new ConfigError('user put needs --subject');
        if (flags.status !== undefined && flags.status !== 'active' && flags.status !== 'locked') throw new ConfigError('--status is active or locked');
        const userCode = await readUserCode(flags);
        const now = Date.now();
        const existing = await store.getUser(serviceId, flags.subject);
        await store.putUser({
          serviceId,
          subject: flags.subject,
          email: flags.email ?? existing?.email ?? null,
          phoneNumber: flags.phone ?? existing?.phoneNumber ?? null,
          status: (flags.status as 'active' | 'locked' | undefined) ?? existing?.status ?? 'active',
          data: {
            ...existing?.data,
            ...(flags.name !== undefined ? { name: flags.name } : {}),
            // Only the salted hash is stored.
            ...(userCode !== undefined ? { userCode: await hashUserCode(userCode) } : {}),
          },
          createdAt: existing?.createdAt ?? now,
          modifiedAt: now,
        });
        const changes = [flags.email !== undefined && 'email', flags.phone !== undefined && 'phone_number', flags.name !== undefined && 'name', flags.status !== undefined && 'status', userCode !== undefined && 'userCode'].filter((c): c is string => c !== false);
        await recordChange(flags.status === 'locked' ? 'lock' : flags.status === 'active' && existing?.status === 'locked' ? 'unlock' : existing ? 'update' : 'create', flags.subject, changes);
        process.stdout.write(`${existing ? 'updated' : 'created'} user ${flags.subject}\n`);
        return flags.status === 'locked' || (flags.status === undefined && existing?.status === 'locked') ? alsoAtEngine(config, serviceId, flags.subject) : 0;
      }, flags);
    case 'list':
      return withStore(config, async (store, serviceId) => {
        const page = await store.listUsers(serviceId, 0, 10_000);
        for (const user of page.items) {
          const name = typeof user.data.name === 'string' ? user.data.name : '';
          process.stdout.write([user.subject, user.status, user.email ?? '', user.phoneNumber ?? '', name].join('\t') + '\n');
        }
        return 0;
      }, flags);
    case 'delete':
      return withStore(config, async (store, serviceId, recordChange) => {
        if (!flags.subject) throw new ConfigError('user delete needs --subject');
        const deleted = await store.deleteUser(serviceId, flags.subject, Date.now());
        if (deleted) await recordChange('delete', flags.subject, []);
        // Also when she is already gone here: running the command again after a failure retries.
        const atEngine = await alsoAtEngine(config, serviceId, flags.subject);
        if (!deleted) {
          process.stderr.write(`openciba: no user ${flags.subject}\n`);
          return 1;
        }
        process.stdout.write(`deleted user ${flags.subject}\n`);
        return atEngine;
      }, flags);
    case 'enrol':
    case 'devices':
    case 'revoke-device':
      return runAuthenticatorCommand(config, action, flags);
  }
  throw new ConfigError('user commands: put, list, delete, enrol, devices, revoke-device');
}
