import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { epochSeconds } from '../../../src/lib/clock.js';
import { NotificationDispatcher } from '../../../src/op/notifications/dispatcher.js';
import { webhookRecord } from '../../../src/op/notifications/outbox-records.js';
import { signWebhook, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '../../../src/op/notifications/webhook-signature.js';
import { ManualClock } from '../../support/clock.js';
import { noJitter, openTestStore, SERVICE_ID, testKeyring, type TestStore } from './support.js';
import { startReceiver, type Receiver } from '../../support/receiver.js';

const SECRET = 'whsec-2f1c6a0e8b7d4c3a9e5f';
const BODY = '{"event":"ciba.request","authReqId":"abc"}';
const T = 1_767_225_600; // 2026-01-01T00:00:00Z

describe('webhook signatures', () => {
  it('signs as t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, T, BODY)).toBe(`t=${T},v1=${expected}`);
    expect(WEBHOOK_SIGNATURE_HEADER).toBe('OpenCIBA-Signature');
  });

  it('verifies its own signature within the tolerance', () => {
    const header = signWebhook(SECRET, T, BODY);
    expect(verifyWebhookSignature(SECRET, header, BODY, T)).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, BODY, T + 300)).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, BODY, T - 300)).toBe(true);
  });

  it('rejects a tampered body, another secret, and a tampered timestamp', () => {
    const header = signWebhook(SECRET, T, BODY);
    expect(verifyWebhookSignature(SECRET, header, BODY.replace('abc', 'abd'), T)).toBe(false);
    expect(verifyWebhookSignature('another-secret', header, BODY, T)).toBe(false);
    expect(verifyWebhookSignature(SECRET, header.replace(`t=${T}`, `t=${T + 1}`), BODY, T)).toBe(false);
  });

  it('rejects an old timestamp, and one too far in the future', () => {
    expect(verifyWebhookSignature(SECRET, signWebhook(SECRET, T - 301, BODY), BODY, T)).toBe(false);
    expect(verifyWebhookSignature(SECRET, signWebhook(SECRET, T - 60, BODY), BODY, T, 30)).toBe(false);
    expect(verifyWebhookSignature(SECRET, signWebhook(SECRET, T + 301, BODY), BODY, T)).toBe(false);
  });

  it('rejects malformed headers', () => {
    const good = signWebhook(SECRET, T, BODY);
    const v1 = good.split(',v1=')[1]!;
    for (const header of [undefined, '', `t=${T}`, `v1=${v1}`, `t=${T},v1=${v1.slice(1)}`, `t=abc,v1=${v1}`, `t=${T},t=${T},v1=${v1}`, 'garbage']) {
      expect(verifyWebhookSignature(SECRET, header, BODY, T)).toBe(false);
    }
  });

  it('accepts any of several v1 values (secret rotation)', () => {
    const withOld = signWebhook('old-secret', T, BODY);
    const withNew = signWebhook(SECRET, T, BODY);
    const both = `${withOld},v1=${withNew.split(',v1=')[1]}`;
    expect(verifyWebhookSignature(SECRET, both, BODY, T)).toBe(true);
    expect(verifyWebhookSignature('old-secret', both, BODY, T)).toBe(true);
    expect(verifyWebhookSignature('third', both, BODY, T)).toBe(false);
  });

  it('refuses milliseconds where seconds are meant', () => {
    expect(() => signWebhook(SECRET, T * 1000, BODY)).toThrow(RangeError);
    expect(() => verifyWebhookSignature(SECRET, signWebhook(SECRET, T, BODY), BODY, T * 1000)).toThrow(RangeError);
  });
});

describe('the dispatcher and webhook rows', () => {
  let db: TestStore;
  let receiver: Receiver;
  const clock = new ManualClock();
  const keyring = testKeyring();

  beforeEach(async () => {
    db = await openTestStore();
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    await db.close();
  });

  function enqueue(id: string) {
    return db.store.enqueueOutbox(
      webhookRecord(
        { id, serviceId: SERVICE_ID, endpoint: receiver.url('/hook'), body: BODY, now: clock.now(), expiresAt: clock.now() + 60_000, authReqId: 'abcdefghijk' },
        keyring,
      ),
    );
  }

  it('sends an OpenCIBA-Signature header that verifies with the service secret', async () => {
    await enqueue('wh-1');
    const asked: number[] = [];
    const dispatcher = new NotificationDispatcher({
      store: db.store,
      keyring,
      clock,
      mode: 'development',
      random: noJitter,
      webhookSecret: async (serviceId) => {
        asked.push(serviceId);
        return SECRET;
      },
    });

    expect(await dispatcher.runOnce()).toBe(1);

    expect(asked).toEqual([SERVICE_ID]);
    expect(receiver.requests).toHaveLength(1);
    const [req] = receiver.requests;
    expect(req!.body).toBe(BODY);
    expect(req!.headers['authorization']).toBeUndefined();
    const header = req!.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()];
    expect(typeof header).toBe('string');
    expect(verifyWebhookSignature(SECRET, header as string, req!.body, epochSeconds(clock))).toBe(true);
    expect(verifyWebhookSignature('wrong', header as string, req!.body, epochSeconds(clock))).toBe(false);
    const { items } = await db.store.listOutbox(SERVICE_ID, 0, 10);
    expect(items[0]).toMatchObject({ id: 'wh-1', status: 'delivered', summary: { kind: 'webhook', authReqIdPrefix: 'abcdef' } });
  });

  it('fails a webhook row when the service has no secret, without sending it', async () => {
    await enqueue('wh-2');
    const dispatcher = new NotificationDispatcher({ store: db.store, keyring, clock, mode: 'development', webhookSecret: async () => undefined });

    expect(await dispatcher.runOnce()).toBe(1);

    expect(receiver.connections).toBe(0);
    const { items } = await db.store.listOutbox(SERVICE_ID, 0, 10);
    expect(items[0]).toMatchObject({ id: 'wh-2', status: 'failed', lastError: `no webhook secret is configured for service ${SERVICE_ID}` });
  });
});
