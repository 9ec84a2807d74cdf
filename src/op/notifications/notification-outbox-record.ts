import type { Clock } from '../../lib/clock.js';
import type { Keyring } from '../../lib/keyring.js';
import type { Random } from '../../lib/random.js';
import type { OutboxRecord } from '../../store/ports.js';
import { pingOrPushRecord, type PingOrPushInput } from './outbox-records.js';

/** A ping or push notification a completion produced, before it has an outbox id and time. */
export type PingOrPushNotification = Omit<PingOrPushInput, 'id' | 'now'>;

/**
 * The outbox row for the ping or push notification of a completion: the engine's (through the
 * front's completion port, in the completion's transaction) or the front's own across machines.
 */
export function notificationOutboxRecord(notification: PingOrPushNotification, deps: { keyring: Keyring; clock: Clock; random: Random }): OutboxRecord {
  return pingOrPushRecord({ ...notification, id: deps.random.token(16), now: deps.clock.now() }, deps.keyring);
}
