import type { Clock } from '../../lib/clock.js';
import type { Keyring } from '../../lib/keyring.js';
import type { Random } from '../../lib/random.js';
import { pingOrPushRecord } from '../notifications/outbox-records.js';
import type { OutboxRecord } from '../../store/ports.js';
import type { PendingNotification } from './complete.js';

/** The outbox row for the ping or push notification a completion produced. */
export function notificationOutboxRecord(notification: PendingNotification, deps: { keyring: Keyring; clock: Clock; random: Random }): OutboxRecord {
  return pingOrPushRecord(
    {
      id: deps.random.token(16),
      serviceId: notification.serviceId,
      kind: notification.kind,
      endpoint: notification.endpoint,
      clientNotificationToken: notification.clientNotificationToken,
      body: notification.body,
      now: deps.clock.now(),
      expiresAt: notification.expiresAt,
    },
    deps.keyring,
  );
}
