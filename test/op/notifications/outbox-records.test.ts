import { describe, expect, it } from 'vitest';
import { pingBody, pingOrPushRecord, webhookRecord } from '../../../src/op/notifications/outbox-records.js';
import { testKeyring } from './support.js';

const keyring = testKeyring();
const base = { id: 'ob-1', serviceId: 7, endpoint: 'https://rp.example.com:8443/cb?x=1', now: 1_000, expiresAt: 61_000 };

describe('outbox records', () => {
  it('seals the bearer token and the exact ping body, and keeps only harmless facts in clear', () => {
    const record = pingOrPushRecord({ ...base, kind: 'ping', clientNotificationToken: 'secret-token', body: pingBody('Zx9y8w7v6u5t') }, keyring);
    expect(record).toMatchObject({
      id: 'ob-1',
      serviceId: 7,
      kind: 'ping',
      endpoint: base.endpoint,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: 1_000,
      createdAt: 1_000,
      expiresAt: 61_000,
      claimedUntil: null,
      lastError: null,
      finishedAt: null,
    });
    expect(keyring.open(record.authorizationSealed!)).toBe('Bearer secret-token');
    expect(keyring.open(record.bodySealed)).toBe('{"auth_req_id":"Zx9y8w7v6u5t"}');
    expect(record.summary).toEqual({ kind: 'ping', endpointHost: 'rp.example.com:8443', authReqIdPrefix: 'Zx9y8w' });
    const clear = JSON.stringify({ ...record, authorizationSealed: null, bodySealed: null });
    expect(clear).not.toContain('secret-token');
    expect(clear).not.toContain('Zx9y8w7');
  });

  it('takes a push body as given and refuses a ping body with more than auth_req_id', () => {
    const push = pingOrPushRecord(
      { ...base, kind: 'push', clientNotificationToken: 't', body: '{"auth_req_id":"abcdefgh","access_token":"at"}' },
      keyring,
    );
    expect(keyring.open(push.bodySealed)).toBe('{"auth_req_id":"abcdefgh","access_token":"at"}');
    expect(push.summary).toEqual({ kind: 'push', endpointHost: 'rp.example.com:8443', authReqIdPrefix: 'abcdef' });
    expect(() => pingOrPushRecord({ ...base, kind: 'ping', clientNotificationToken: 't', body: { auth_req_id: 'a', x: 1 } }, keyring)).toThrow(TypeError);
    expect(() => pingOrPushRecord({ ...base, kind: 'push', clientNotificationToken: 't', body: { access_token: 'a' } }, keyring)).toThrow(TypeError);
  });

  it('builds webhook rows with an optional Authorization and caller facts', () => {
    const plain = webhookRecord({ ...base, body: { event: 'x' }, summary: { event: 'ciba.request' } }, keyring);
    expect(plain.authorizationSealed).toBeNull();
    expect(plain.kind).toBe('webhook');
    expect(plain.summary).toEqual({ event: 'ciba.request', kind: 'webhook', endpointHost: 'rp.example.com:8443' });
    const withAuth = webhookRecord({ ...base, body: '{"auth_req_id":"qwertyuiop"}', authorization: 'Basic abc' }, keyring);
    expect(keyring.open(withAuth.authorizationSealed!)).toBe('Basic abc');
    expect(withAuth.summary).toMatchObject({ authReqIdPrefix: 'qwerty' });
  });
});
