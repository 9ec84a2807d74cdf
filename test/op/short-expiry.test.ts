import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { request } from '../support/http.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { ManualClock } from '../support/clock.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

const CIBA = 'urn:openid:params:grant-type:ciba';
type Mode = 'POLL' | 'PING' | 'PUSH';

/**
 * The front honours the lifetime it advertised (`expires_in`), however short: a request is
 * pending until its expiry, and the expiry sweep (src/op/device/expiry-sweeper.ts) gives it up at
 * its expiry, not before — then the token endpoint says expired_token and a ping or push client
 * is notified (push: `transaction_failed`). The sweep and the dispatcher run by hand on a manual clock.
 */
describe.each(DIALECTS)('a short requested_expiry is honoured to the millisecond (%s)', (dialect) => {
  let server: TestServer;
  let receiver: Receiver;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    server = await startTestServer({ dialect, clock, background: false });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  const sweep = () => server.runtime.front.sweep();
  const dispatch = () => server.runtime.front.dispatcher.runOnce();
  const received = (path: string) => receiver.requests.filter((r) => r.path === path);

  async function setUp(mode: Mode, path: string) {
    const front = await createFront(server, mode === 'POLL' ? {} : { bcDeliveryMode: mode, bcNotificationEndpoint: receiver.url(path) });
    return front;
  }
  async function start(front: FrontFixture, lifetime: number) {
    const started = await postForm(
      `${front.issuer}/backchannel/authentication`,
      { scope: 'openid', login_hint: 'alice', requested_expiry: String(lifetime), client_notification_token: 'short-expiry-token' },
      basicAuth(front.clientId, front.clientSecret),
    );
    expect(started.status, started.text).toBe(200);
    expect(started.json.expires_in).toBe(lifetime);
    return started.json.auth_req_id as string;
  }
  const poll = (front: FrontFixture, authReqId: string) =>
    postForm(`${front.issuer}/token`, { grant_type: CIBA, auth_req_id: authReqId }, basicAuth(front.clientId, front.clientSecret));
  const pendingOnDevice = async (front: FrontFixture) =>
    (await request(`${front.issuer}/device/api/requests?subject=alice`)).json.requests as unknown[];
  const allow = (front: FrontFixture, authReqId: string) => request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' });

  describe.each<Mode>(['POLL', 'PING', 'PUSH'])('%s', (mode) => {
    describe.each([2, 3, 10])('requested_expiry=%i', (lifetime) => {
      it('unanswered: pending until expiry − 1 ms, swept at expiry, then expired_token and (ping/push) the notification', async () => {
        const path = `/unanswered/${mode}/${lifetime}`;
        const front = await setUp(mode, path);
        const authReqId = await start(front, lifetime);

        clock.advance(lifetime * 1000 - 1);
        expect(await sweep()).toBe(0);
        await dispatch();
        expect(received(path)).toHaveLength(0);
        expect(await pendingOnDevice(front)).toHaveLength(1);
        if (mode !== 'PUSH') {
          const pending = await poll(front, authReqId);
          expect(pending.status).toBe(400);
          expect(pending.json.error).toBe('authorization_pending');
        }

        clock.advance(1); // exactly at expiry
        expect(await sweep()).toBe(1);
        expect(await sweep()).toBe(0);
        expect(await pendingOnDevice(front)).toHaveLength(0);
        if (mode !== 'PUSH') expect((await poll(front, authReqId)).json.error).toBe('expired_token');

        expect(await dispatch()).toBe(mode === 'POLL' ? 0 : 1);
        const notes = received(path);
        if (mode === 'POLL') {
          expect(notes).toHaveLength(0);
        } else {
          expect(notes).toHaveLength(1);
          expect(notes[0]!.headers.authorization).toBe('Bearer short-expiry-token');
          expect(JSON.parse(notes[0]!.body)).toEqual(mode === 'PING' ? { auth_req_id: authReqId } : { auth_req_id: authReqId, error: 'transaction_failed' });
        }
        // Too late for the user.
        expect((await allow(front, authReqId)).status).toBe(409);
        if (mode !== 'PUSH') expect((await poll(front, authReqId)).json.error).toBe('expired_token');
      });

      it('approved at expiry − 1 ms: the approval is recorded and the client gets its tokens; the sweep leaves it alone', async () => {
        const path = `/approved/${mode}/${lifetime}`;
        const front = await setUp(mode, path);
        const authReqId = await start(front, lifetime);

        clock.advance(lifetime * 1000 - 1);
        expect(await sweep()).toBe(0);
        expect((await allow(front, authReqId)).json).toEqual({ result: 'AUTHORIZED' });
        if (mode !== 'POLL') {
          expect(await dispatch()).toBe(1);
          const notes = received(path);
          expect(notes).toHaveLength(1);
          const body = JSON.parse(notes[0]!.body) as Record<string, unknown>;
          if (mode === 'PING') expect(body).toEqual({ auth_req_id: authReqId });
          else expect(body).toMatchObject({ auth_req_id: authReqId, token_type: 'Bearer' });
        }
        if (mode !== 'PUSH') {
          const tokens = await poll(front, authReqId);
          expect(tokens.status, tokens.text).toBe(200);
          expect(typeof tokens.json.access_token).toBe('string');
        }

        clock.advance(1);
        expect(await sweep()).toBe(0);
        await dispatch();
        expect(received(path)).toHaveLength(mode === 'POLL' ? 0 : 1);
      });
    });
  });

  it('an approval at expiry is refused, and the sweep then fails the request (the engine side: test/api/ciba/expiry-sweep.test.ts)', async () => {
    const front = await setUp('POLL', '/unused');
    const authReqId = await start(front, 2);
    clock.advance(2000);
    expect((await allow(front, authReqId)).status).toBe(409);
    expect(await sweep()).toBe(1);
    expect((await poll(front, authReqId)).json.error).toBe('expired_token');
  });
});
