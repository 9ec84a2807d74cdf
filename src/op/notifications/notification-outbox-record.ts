import type { Clock } from '../../lib/clock.js';
import type { Keyring } from '../../lib/keyring.js';
import type { Random } from '../../lib/random.js';
import type { OutboxRecord } from '../../store/ports.js';
import { pingOrPushRecord, type PingOrPushInput } from './outbox-records.js';
import { orderedId } from '../../lib/ordered-id.js';

/** A ping or push notification a completion produced, before it has an outbox id and time. */
export type PingOrPushNotification = Omit<PingOrPushInput, 'id' | 'now'>;

/**
 * The least time a notification is given to be delivered. A notification is normally given up
 * when its request expires, but the expiry sweep fails an unanswered request at its expiry: the
 * client's failure notice (ping, or push `transaction_failed`) is written then and must still go.
 */
export const MIN_DELIVERY_WINDOW_MS = 30_000;

/**
 * The outbox row for the ping or push notification of a completion: the engine's (through the
 * front's completion port, in the completion's transaction) or the front's own across machines.
 */
export function notificationOutboxRecord(notification: PingOrPushNotification, deps: { keyring: Keyring; clock: Clock; random: Random }): OutboxRecord {
  const now = deps.clock.now();
  const expiresAt = Math.max(notification.expiresAt, now + MIN_DELIVERY_WINDOW_MS);
  return pingOrPushRecord({ ...notification, expiresAt, id: orderedId(now, deps.random), now }, deps.keyring);
}
