import { createHash } from 'node:crypto';
import { webPushRecord } from '../notifications/outbox-records.js';
import type { OpContext } from '../op-context.js';
import { orderedId } from '../../lib/ordered-id.js';

/** RFC 8291 §4: the most plaintext one 4096-byte aes128gcm record carries. */
export const MAX_PUSH_PLAINTEXT = 3993;

/**
 * Queues a Web Push for every subscription of the user's active devices. The payload is only the
 * opaque request handle: the binding message and details never reach the push service; the app
 * fetches them over HTTPS with its device token. The topic (RFC 8030 §5.4) lets a resend replace
 * an undelivered one.
 */
export async function pushToDevices(op: OpContext, request: { serviceId: number; clientId: number; subject: string; handle: string; expiresAt: number }): Promise<number> {
  const subscriptions = await op.store.listSubscriptions(request.serviceId, request.subject);
  const payload = JSON.stringify({ v: 1, type: 'ciba', rid: request.handle });
  if (Buffer.byteLength(payload) > MAX_PUSH_PLAINTEXT) throw new RangeError('the push payload is too large');
  const topic = createHash('sha256').update(request.handle).digest('base64url').slice(0, 32);
  const now = op.clock.now();
  for (const subscription of subscriptions) {
    const keys = JSON.parse(op.keyring.open(subscription.keysSealed)) as { p256dh: string; auth: string };
    await op.store.enqueueOutbox(
      webPushRecord(
        {
          id: orderedId(now, op.random),
          serviceId: request.serviceId,
          clientId: request.clientId,
          subject: request.subject,
          endpoint: subscription.endpoint,
          message: { ...keys, payload, topic },
          now,
          expiresAt: request.expiresAt,
          deviceId: subscription.deviceId,
        },
        op.keyring,
      ),
    );
  }
  return subscriptions.length;
}
