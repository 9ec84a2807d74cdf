import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHousekeeping } from '../../../src/server/housekeeping.js';
import { basicAuth, createFront, postForm, type FrontFixture } from '../../support/front-fixtures.js';
import { request } from '../../support/http.js';
import { ManualClock } from '../../support/clock.js';
import { DIALECTS, startTestServer, type TestServer } from '../../support/test-server.js';

/**
 * The sweep of unanswered requests (src/op/device/expiry-sweeper.ts) gives up a request just
 * before it expires; housekeeping (src/server/housekeeping.ts) purges what has expired. Both run
 * here by hand on a manual clock (no background timers), next to a request far from expiry.
 */
describe.each(DIALECTS)('the expiry sweep and housekeeping leave fresh requests alone (%s)', (dialect) => {
  let server: TestServer;
  let front: FrontFixture;
  const clock = new ManualClock();

  beforeAll(async () => {
    server = await startTestServer({ dialect, clock, background: false });
    front = await createFront(server);
  });
  afterAll(() => server?.close());

  const auth = () => basicAuth(front.clientId, front.clientSecret);
  const start = async () => {
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice' }, auth());
    expect(started.status).toBe(200);
    return started.json as { auth_req_id: string; expires_in: number; interval: number };
  };
  const poll = (authReqId: string) =>
    postForm(`${front.issuer}/token`, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: authReqId }, auth());
  const pendingOnDevice = async () => (await request(`${front.issuer}/device/api/requests?subject=alice`)).json.requests as unknown[];

  it('sweeps only the request about to expire; a fresh one stays pending and is redeemed after approval', async () => {
    const old = await start();
    expect(old.expires_in).toBe(600);
    // 2 s before the old request expires: inside the sweep's margin. The fresh one has 600 s.
    clock.advance((old.expires_in - 2) * 1000);
    const fresh = await start();
    expect(fresh.expires_in).toBe(600);
    expect(await pendingOnDevice()).toHaveLength(2);

    expect(await server.runtime.front.sweep()).toBe(1);
    expect(await runHousekeeping(server.runtime.store, clock)).toBe(0);
    expect(await server.runtime.front.sweep()).toBe(0);

    // The old one was given up (TRANSACTION_FAILED → expired_token); the fresh one was not touched.
    expect((await poll(old.auth_req_id)).json.error).toBe('expired_token');
    const pending = await poll(fresh.auth_req_id);
    expect(pending.status).toBe(400);
    expect(pending.json.error).toBe('authorization_pending');
    expect(await pendingOnDevice()).toHaveLength(1);

    const approved = await request(`${front.issuer}/device/api/ciba/${fresh.auth_req_id}/allow`, { method: 'POST' });
    expect(approved.json).toEqual({ result: 'AUTHORIZED' });
    clock.advance(fresh.interval * 1000);
    const tokens = await poll(fresh.auth_req_id);
    expect(tokens.status).toBe(200);
    expect(typeof tokens.json.access_token).toBe('string');
  });
});
