import webpush from 'web-push';
import type { OpContext } from '../op-context.js';

/** The service's VAPID key pair (RFC 8292), made on first use; the private key is sealed at rest. */
export async function vapidKeys(op: Pick<OpContext, 'store' | 'keyring' | 'clock'>, serviceId: number): Promise<{ publicKey: string; privateKey: string }> {
  let record = await op.store.getVapidKeys(serviceId);
  if (!record) {
    const made = webpush.generateVAPIDKeys();
    record = await op.store.createVapidKeys({ serviceId, publicKey: made.publicKey, privateKeySealed: op.keyring.seal(made.privateKey), createdAt: op.clock.now() });
  }
  return { publicKey: record.publicKey, privateKey: op.keyring.open(record.privateKeySealed) };
}
