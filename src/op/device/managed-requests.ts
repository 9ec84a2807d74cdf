import type { Clock } from '../../lib/clock.js';
import type { Keyring } from '../../lib/keyring.js';
import type { Random } from '../../lib/random.js';
import type { FrontRequestStore, OutboxRecord, UserStore } from '../../store/ports.js';
import type { BackchannelAuthenticationCompleteResult } from '../../wire/ciba-types.js';
import { notificationOutboxRecord, type PingOrPushNotification } from '../notifications/notification-outbox-record.js';

export interface ManagedRequestsDeps {
  store: Pick<FrontRequestStore, 'findFrontRequest' | 'decideFrontRequest'> & Pick<UserStore, 'getUser'>;
  keyring: Keyring;
  clock: Clock;
  random: Random;
}

/**
 * The front's side of the engine's `/complete` (server/ wires it into the engine's context): for
 * a request the front shows on a device channel, a completion reported by anyone — a webhook
 * app calling `/complete` over HTTP included — queues the front's ping or push notification in
 * the completion's transaction, and decides the front's record of the request.
 */
export function managedRequests(deps: ManagedRequestsDeps) {
  return {
    async completion(serviceId: number, authReqIdDigest: string) {
      const front = await deps.store.findFrontRequest(serviceId, authReqIdDigest);
      if (!front) return undefined;
      return {
        channel: front.channel,
        notification: (notification: PingOrPushNotification): OutboxRecord => notificationOutboxRecord(notification, deps),
        async mayAuthorize(subject: string | undefined): Promise<boolean> {
          for (const who of new Set([front.subject, subject ?? front.subject])) {
            if (!(await userActive(deps.store, serviceId, who))) return false;
          }
          return true;
        },
        async completed(result: BackchannelAuthenticationCompleteResult): Promise<void> {
          // Already decided here (the simulator, the embedded device, the sweep): nothing to record.
          if (front.status !== 'pending') return;
          await deps.store.decideFrontRequest(serviceId, authReqIdDigest, result === 'AUTHORIZED' ? 'allowed' : 'denied', deps.clock.now());
        },
      };
    },
  };
}

/** Whether the directory holds this user and she is not locked: the one test of every path that mints tokens. */
export async function userActive(store: Pick<UserStore, 'getUser'>, serviceId: number, subject: string): Promise<boolean> {
  return (await store.getUser(serviceId, subject))?.status === 'active';
}
