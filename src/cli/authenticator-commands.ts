import { issueEnrolment, MAX_ENROLMENT_SECONDS } from '../api/enrolment-code.js';
import { createKeyring } from '../lib/keyring.js';
import { cryptoRandom } from '../lib/random.js';
import { loadMasterKey } from '../server/master-key.js';
import { ConfigError, type Config } from '../server/config.js';
import { deviceView } from '../store/ports/authenticator-store.js';
import { withStore, type UserFlags } from './user-commands.js';

export interface AuthenticatorFlags extends UserFlags {
  'expires-in'?: string | undefined;
  device?: string | undefined;
}

/** `openciba user enrol|devices|revoke-device`: the authenticator app's enrolments and devices, as the admin API. */
export async function runAuthenticatorCommand(config: Config, action: 'enrol' | 'devices' | 'revoke-device', flags: AuthenticatorFlags): Promise<number> {
  if (!flags.subject) throw new ConfigError(`user ${action} needs --subject`);
  const subject = flags.subject;
  return withStore(config, async (store, serviceId, recordChange) => {
    // As the admin API records them (admin-change-hook.ts): an enrolment is a device to be, named by its user.
    const device = { resource: 'device' as const, subject };
    if (action === 'enrol') {
      const seconds = flags['expires-in'] === undefined ? MAX_ENROLMENT_SECONDS : Number(flags['expires-in']);
      if (!Number.isInteger(seconds) || seconds < 30 || seconds > MAX_ENROLMENT_SECONDS) throw new ConfigError(`--expires-in is 30 to ${MAX_ENROLMENT_SECONDS} seconds`);
      const user = await store.getUser(serviceId, subject);
      if (!user || user.status !== 'active') throw new ConfigError(`no active user ${subject}`);
      const keyring = createKeyring(loadMasterKey(config).key);
      const issued = await issueEnrolment({ store, keyring, random: cryptoRandom, now: Date.now(), publicUrl: config.publicUrl }, serviceId, subject, seconds);
      await recordChange('create', subject, flags['expires-in'] === undefined ? [] : ['expiresIn'], device);
      process.stdout.write(`${issued.link}\nexpires ${new Date(issued.expiresAt).toISOString()}; open it once, on the phone to enrol\n`);
      return 0;
    }
    if (action === 'devices') {
      for (const device of await store.listDevices(serviceId, subject)) {
        const view = deviceView(device);
        process.stdout.write([view.id, view.label, view.createdAt, view.lastUsedAt ?? '', view.synced ? 'synced' : 'device-bound'].join('\t') + '\n');
      }
      return 0;
    }
    if (!flags.device) throw new ConfigError('user revoke-device needs --device <device id>');
    if (!(await store.revokeDevice(serviceId, subject, flags.device, Date.now()))) {
      process.stderr.write(`openciba: no device ${flags.device} of ${subject}\n`);
      return 1;
    }
    await recordChange('delete', flags.device, [], device);
    process.stdout.write(`revoked device ${flags.device}\n`);
    return 0;
  }, flags);
}
