import type { Clock } from '../clock.js';
import type { Keyring } from '../crypto/keyring.js';
import type { Random } from '../crypto/random.js';
import type { OutboxRecord } from '../../store/ports.js';
import type { PendingNotification } from './complete.js';

/**
 * The outbox row for a ping or push notification: the bearer token and the body (which, for
 * push, holds tokens) are sealed; the summary keeps only what an operator may see.
 */
export function notificationOutboxRecord(notification: PendingNotification, deps: { keyring: Keyring; clock: Clock; random: Random }): OutboxRecord {
  const now = deps.clock.now();
  return {
    id: deps.random.token(16),
    serviceId: notification.serviceId,
    kind: notification.kind,
    endpoint: notification.endpoint,
    authorizationSealed: deps.keyring.seal(`Bearer ${notification.clientNotificationToken}`),
    bodySealed: deps.keyring.seal(notification.body),
    summary: { kind: notification.kind, endpointHost: hostOf(notification.endpoint), authReqIdPrefix: notification.authReqId.slice(0, 6) },
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    claimedUntil: null,
    lastError: null,
    createdAt: now,
    expiresAt: notification.expiresAt,
    finishedAt: null,
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
