import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPIRED_FAILURE_GRACE_MS } from '../../../src/engine/ciba/complete.js';
import { runHousekeeping } from '../../../src/server/housekeeping.js';
import { codes } from '../../../src/wire/result-codes.js';
import { complete, content, newService, pollToken, startCiba, startFlow, type CibaEnv, type TestClient, type TestService, clientsPerMode } from '../../support/ciba-fixtures.js';
import { basicAuth, createFront, postForm, type FrontFixture } from '../../support/front-fixtures.js';
import { request } from '../../support/http.js';
import { ManualClock } from '../../support/clock.js';
import { DIALECTS, startTestServer, type TestServer } from '../../support/test-server.js';

/**
 * The sweep of unanswered requests (src/op/device/expiry-sweeper.ts) gives up a request at its
 * expiry, not before (the client was promised the whole `expires_in`); housekeeping
 * (src/server/housekeeping.ts) purges what has expired. Both run here by hand on a manual clock
 * (no background timers), next to a request far from expiry.
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

  it('a request 2 s (and 1 ms) from expiry is not swept: it is still pending and can be answered', async () => {
    const near = await start();
    clock.advance((near.expires_in - 2) * 1000);
    expect(await server.runtime.front.sweep()).toBe(0);
    clock.advance(2000 - 1);
    expect(await server.runtime.front.sweep()).toBe(0);
    expect((await poll(near.auth_req_id)).json.error).toBe('authorization_pending');
    expect((await request(`${front.issuer}/device/api/ciba/${near.auth_req_id}/deny`, { method: 'POST' })).json).toEqual({ result: 'ACCESS_DENIED' });
    expect((await poll(near.auth_req_id)).json.error).toBe('access_denied');
    clock.advance(1);
    expect(await server.runtime.front.sweep()).toBe(0);
  });

  it('sweeps only the request that has expired; a fresh one stays pending and is redeemed after approval', async () => {
    const old = await start();
    expect(old.expires_in).toBe(600);
    // The old request's expiry. The fresh one has 600 s.
    clock.advance(old.expires_in * 1000);
    const fresh = await start();
    expect(fresh.expires_in).toBe(600);
    // The device no longer offers the expired one; the sweep has yet to tell its client.
    expect(await pendingOnDevice()).toHaveLength(1);

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

/**
 * The engine's side (src/engine/ciba/complete.ts): after expiry it records only the final
 * TRANSACTION_FAILED (the sweep's report), and only within EXPIRED_FAILURE_GRACE_MS; never an
 * AUTHORIZED or an ACCESS_DENIED.
 */
const LATE = codes.completeAlreadyDone.code;

describe.each(DIALECTS)('/complete after expiry (%s)', (dialect) => {
  type Mode = 'POLL' | 'PING' | 'PUSH';
  let env: CibaEnv;
  let service: TestService;
  let clients: Record<Mode, TestClient>;

  beforeAll(async () => {
    env = await startCiba({ dialect });
    service = await newService(env);
    clients = await clientsPerMode(env, service.serviceId);
  });
  afterAll(() => env?.close());

  describe.each<Mode>(['POLL', 'PING', 'PUSH'])('%s', (mode) => {
    const recorded = mode === 'POLL' ? 'NO_ACTION' : 'NOTIFICATION';
    const tokenError = async (authReqId: string) => content(await pollToken(env, service.serviceId, clients[mode], authReqId)).error as string;

    it.each(['AUTHORIZED', 'ACCESS_DENIED'] as const)('%s at expiry is refused, and TRANSACTION_FAILED at the end of the grace is still recorded', async (result) => {
      const flow = await startFlow(env, service.serviceId, clients[mode]);
      env.clock.advance(flow.expiresIn * 1000);
      const late = await complete(env, service.serviceId, flow.ticket, result);
      expect(late.resultCode).toBe(LATE);
      expect(late.accessToken).toBeUndefined();

      env.clock.advance(EXPIRED_FAILURE_GRACE_MS - 1);
      const failed = await complete(env, service.serviceId, flow.ticket, 'TRANSACTION_FAILED');
      expect(failed.action).toBe(recorded);
      expect(failed.resultCode).not.toBe(LATE);
      if (mode === 'PUSH') expect(JSON.parse(String(failed.responseContent))).toEqual({ auth_req_id: flow.authReqId, error: 'transaction_failed' });
      if (mode === 'PING') expect(JSON.parse(String(failed.responseContent))).toEqual({ auth_req_id: flow.authReqId });
      if (mode !== 'PUSH') expect(await tokenError(flow.authReqId)).toBe('expired_token');
      // Once only.
      expect((await complete(env, service.serviceId, flow.ticket, 'TRANSACTION_FAILED')).resultCode).toBe(LATE);
    });

    it('TRANSACTION_FAILED after the grace is refused', async () => {
      const flow = await startFlow(env, service.serviceId, clients[mode]);
      env.clock.advance(flow.expiresIn * 1000 + EXPIRED_FAILURE_GRACE_MS);
      const late = await complete(env, service.serviceId, flow.ticket, 'TRANSACTION_FAILED');
      expect(late.resultCode).toBe(LATE);
      if (mode !== 'PUSH') expect(await tokenError(flow.authReqId)).toBe('expired_token');
    });
  });
});
