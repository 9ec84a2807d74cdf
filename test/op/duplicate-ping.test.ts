import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { ManualClock } from '../support/clock.js';
import { REPLAY_GRACE_MS } from '../../src/engine/tokens/grants/ciba-grant.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

const CIBA = 'urn:openid:params:grant-type:ciba';

/**
 * The duplicate-ping policy (docs/security.md): delivery is at least once, so a client may be
 * pinged twice for one auth_req_id (a node died mid-send and another sent it again). Its second
 * token request must not cost it the tokens of the first; a repeat long after still revokes.
 */
describe.each(DIALECTS)('a duplicate ping does not cost the client its tokens (%s)', (dialect) => {
  const WINDOW_MS = 12_000;
  let server: TestServer;
  let clock: ManualClock;
  let receiver: Receiver;
  let front: FrontFixture;

  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    server = await startTestServer({ dialect, clock, background: false, env: { OPENCIBA_REPLAY_GRACE_MS: String(WINDOW_MS) } });
    receiver = await startReceiver();
    front = await createFront(server, { bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/ping') });
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  const redeem = (authReqId: string) => postForm(`${front.issuer}/token`, { grant_type: CIBA, auth_req_id: authReqId }, basicAuth(front.clientId, front.clientSecret));
  const userinfo = (accessToken: string) => request(`${front.issuer}/userinfo`, { headers: bearer(accessToken) });

  async function pingedAndRedeemed() {
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', client_notification_token: 'dup-n' }, basicAuth(front.clientId, front.clientSecret));
    const authReqId = started.json.auth_req_id as string;
    await request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' });
    expect(await server.runtime.front.dispatcher.runOnce()).toBe(1);
    const tokens = await redeem(authReqId);
    expect(tokens.status).toBe(200);
    return { authReqId, accessToken: tokens.json.access_token as string };
  }

  it('the default window covers a takeover and the first retries', () => {
    expect(REPLAY_GRACE_MS).toBeGreaterThanOrEqual(30_000);
  });

  it('a repeat prompted by a second ping inside the configured window is invalid_grant, and the tokens keep working', async () => {
    const { authReqId, accessToken } = await pingedAndRedeemed();
    // A node took the ping over and sent it again some seconds later; the client reacts to it.
    clock.advance(WINDOW_MS - 1);
    const repeat = await redeem(authReqId);
    expect(repeat.status).toBe(400);
    expect(repeat.json.error).toBe('invalid_grant');
    expect(repeat.headers.get('cache-control')).toBe('no-store');
    expect((await userinfo(accessToken)).status).toBe(200);
  });

  it('a repeat once the configured window is over is taken for a replay and revokes', async () => {
    const { authReqId, accessToken } = await pingedAndRedeemed();
    clock.advance(WINDOW_MS);
    const replay = await redeem(authReqId);
    expect(replay.json.error).toBe('invalid_grant');
    expect((await userinfo(accessToken)).status).toBe(401);
  });

  it('a repeat by another client is refused without revoking, whenever it comes', async () => {
    const { authReqId, accessToken } = await pingedAndRedeemed();
    const other = await createFront(server, { bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/ping') });
    clock.advance(WINDOW_MS * 10);
    const foreign = await postForm(`${front.issuer}/token`, { grant_type: CIBA, auth_req_id: authReqId }, basicAuth(other.clientId, other.clientSecret));
    expect(foreign.status).toBeGreaterThanOrEqual(400);
    expect((await userinfo(accessToken)).status).toBe(200);
  });
});
