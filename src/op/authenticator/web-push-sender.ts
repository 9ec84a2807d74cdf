import webpush from 'web-push';
import type { WebPushSender } from '../notifications/dispatcher.js';
import type { OpContext } from '../op-context.js';
import { vapidKeys } from './vapid-keys.js';

/**
 * Encrypts (RFC 8291, aes128gcm) and signs (RFC 8292 VAPID) a queued Web Push at send time, so
 * each attempt has a fresh key pair and JWT; the dispatcher sends it with its guarded client
 * (never web-push's own, which has no address rules). TTL is what is left of the request,
 * urgency high: a user is waiting at a till.
 */
export function webPushSender(op: Pick<OpContext, 'store' | 'keyring' | 'clock' | 'publicUrl'>): WebPushSender {
  // RFC 8292 §2.1: a contact URI; web-push accepts only mailto: and https: ones.
  const subject = op.publicUrl.startsWith('https://') ? op.publicUrl : 'mailto:operator@openciba.invalid';
  return {
    async prepare(row, openedBody) {
      const message = JSON.parse(openedBody) as { p256dh: string; auth: string; payload: string; topic: string };
      const vapid = await vapidKeys(op, row.serviceId);
      const ttl = Math.max(0, Math.floor((row.expiresAt - op.clock.now()) / 1000));
      const details = webpush.generateRequestDetails({ endpoint: row.endpoint, keys: { p256dh: message.p256dh, auth: message.auth } }, message.payload, {
        vapidDetails: { subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
        TTL: ttl,
        urgency: 'high',
        topic: message.topic,
        contentEncoding: 'aes128gcm',
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(details.headers)) {
        if (name.toLowerCase() !== 'content-length' && name.toLowerCase() !== 'content-type') headers[name] = String(value);
      }
      return { body: details.body as Buffer, headers, contentType: 'application/octet-stream' };
    },
    async gone(row) {
      await op.store.deleteSubscription(row.serviceId, row.endpoint);
    },
  };
}
