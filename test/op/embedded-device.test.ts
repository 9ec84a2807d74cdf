import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthenticationDevice, DecisionOutcome, DeviceRequest } from '../../src/index.js';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type Decide = (decision: 'allow' | 'deny') => Promise<DecisionOutcome>;

/**
 * A device the test steers per request through the binding message: "now-allow" and "now-deny"
 * decide inside the hook, "throw" fails, anything else is kept for the test to decide later.
 */
function scriptedDevice() {
  const seen: DeviceRequest[] = [];
  const later = new Map<string, Decide>();
  const outcomes: DecisionOutcome[] = [];
  const release = new Map<string, (fail: boolean) => void>();
  const device: AuthenticationDevice = {
    waitMs: 300,
    async requestReceived(request, decide) {
      seen.push(request);
      if (request.bindingMessage === 'now-allow') outcomes.push(await decide('allow'));
      else if (request.bindingMessage === 'now-deny') outcomes.push(await decide('deny'));
      else if (request.bindingMessage === 'throw') throw new Error('the device is unreachable');
      else if (request.bindingMessage?.startsWith('hang')) {
        // Waits for the user inside the hook, which it should not: the client must not wait with it.
        const fail = await new Promise<boolean>((resolve) => release.set(request.bindingMessage!, resolve));
        if (fail) throw new Error('gave up waiting');
        outcomes.push(await decide('allow'));
      } else later.set(request.bindingMessage ?? '', decide);
    },
  };
  return { device, seen, later, outcomes, release };
}

describe('embedded authentication device (createRuntime option, `embedded` channel)', () => {
  let server: TestServer;
  let front: FrontFixture;
  let config: oidc.Configuration;
  const script = scriptedDevice();

  beforeAll(async () => {
    server = await startTestServer({ authenticationDevice: script.device });
    front = await createFront(server);
    const settings = await front.admin('PUT', `/admin/services/${front.serviceId}/front`, { deviceChannel: 'embedded' });
    expect(settings.deviceChannel).toBe('embedded');
    config = await oidc.discovery(new URL(front.issuer), String(front.clientId), undefined, oidc.ClientSecretBasic(front.clientSecret), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  afterAll(() => server?.close());

  it('is told of the request during the backchannel request and approves it there: the first poll gets tokens', async () => {
    const started = await oidc.initiateBackchannelAuthentication(config, { scope: 'openid email', login_hint: 'alice@example.com', binding_message: 'now-allow' });
    const told = script.seen.at(-1)!;
    expect(told).toEqual({
      serviceId: Number(front.serviceId),
      subject: 'alice',
      client: { id: Number(front.clientId), name: 'Front test client' },
      bindingMessage: 'now-allow',
      scopes: ['openid', 'email'],
      deliveryMode: 'POLL',
      expiresAt: expect.any(Number),
    });
    expect(told.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(script.outcomes.at(-1)).toEqual({ ok: true, result: 'AUTHORIZED' });

    // No waiting: the grant is there on the first token request.
    const response = await postForm(
      `${front.issuer}/token`,
      { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: started.auth_req_id },
      basicAuth(front.clientId, front.clientSecret),
    );
    expect(response.status).toBe(200);
    expect(response.json.access_token).toEqual(expect.any(String));
    const idToken = JSON.parse(Buffer.from(String(response.json.id_token).split('.')[1]!, 'base64url').toString());
    expect(idToken).toMatchObject({ sub: 'alice', email: 'alice@example.com', aud: [String(front.clientId)] });
  });

  it('a denial inside the hook → access_denied at the token endpoint', async () => {
    const started = await oidc.initiateBackchannelAuthentication(config, { scope: 'openid', login_hint: 'alice', binding_message: 'now-deny' });
    expect(script.outcomes.at(-1)).toEqual({ ok: true, result: 'ACCESS_DENIED' });
    await expect(oidc.pollBackchannelAuthenticationGrant(config, started)).rejects.toMatchObject({ error: 'access_denied' });
  });

  it('decides later: pending until then, and a second decision is refused', async () => {
    const started = await oidc.initiateBackchannelAuthentication(config, { scope: 'openid', login_hint: 'bob@example.com', binding_message: 'later-1', user_code: '4321' });
    const decide = script.later.get('later-1')!;
    expect(decide).toBeTypeOf('function');
    const pending = await postForm(
      `${front.issuer}/token`,
      { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: started.auth_req_id },
      basicAuth(front.clientId, front.clientSecret),
    );
    expect(pending.json.error).toBe('authorization_pending');

    // Bob is locked while the device waits: the lock itself ends the request as a denial, so the
    // device's later approval finds it decided.
    await front.admin('PUT', `/admin/services/${front.serviceId}/users/bob`, { email: 'bob@example.com', name: 'Bob', userCode: '4321', status: 'locked' });
    expect(await decide('allow')).toMatchObject({ ok: false, status: 409, error: 'already_decided' });
    expect(await decide('deny')).toMatchObject({ ok: false, status: 409, error: 'already_decided' });
    await expect(oidc.pollBackchannelAuthenticationGrant(config, started)).rejects.toMatchObject({ error: 'access_denied' });
  });

  it('the request also shows in the simulator while the device has not decided', async () => {
    await oidc.initiateBackchannelAuthentication(config, { scope: 'openid', login_hint: 'alice', binding_message: 'later-2' });
    const listed = await request(`${front.issuer}/device/api/requests?subject=alice`);
    expect(listed.json.requests.map((r: { bindingMessage?: string }) => r.bindingMessage)).toContain('later-2');
  });

  it('a device that keeps the hook busy does not hold the client: the answer comes after waitMs, the decision when it is made', async () => {
    const started = Date.now();
    const response = await postForm(
      `${front.issuer}/backchannel/authentication`,
      { scope: 'openid', login_hint: 'alice', binding_message: 'hang-1' },
      basicAuth(front.clientId, front.clientSecret),
    );
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const token = () => postForm(
      `${front.issuer}/token`,
      { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: response.json.auth_req_id },
      basicAuth(front.clientId, front.clientSecret),
    );
    expect((await token()).json.error).toBe('authorization_pending');
    script.release.get('hang-1')!(false);
    await expect.poll(async () => (await token()).status, { timeout: 5_000, interval: 1_100 }).toBe(200);
  });

  it('a device that fails after the client got its answer still fails the request', async () => {
    const response = await postForm(
      `${front.issuer}/backchannel/authentication`,
      { scope: 'openid', login_hint: 'alice', binding_message: 'hang-2' },
      basicAuth(front.clientId, front.clientSecret),
    );
    expect(response.status).toBe(200);
    script.release.get('hang-2')!(true);
    const token = () => postForm(
      `${front.issuer}/token`,
      { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: response.json.auth_req_id },
      basicAuth(front.clientId, front.clientSecret),
    );
    await expect.poll(async () => (await token()).json.error, { timeout: 5_000, interval: 1_100 }).toBe('expired_token');
  });

  it('a device that throws fails the request at once (expired_token, as for TRANSACTION_FAILED), and the client still gets its auth_req_id', async () => {
    const started = await oidc.initiateBackchannelAuthentication(config, { scope: 'openid', login_hint: 'alice', binding_message: 'throw' });
    expect(started.auth_req_id).toEqual(expect.any(String));
    const response = await postForm(
      `${front.issuer}/token`,
      { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: started.auth_req_id },
      basicAuth(front.clientId, front.clientSecret),
    );
    expect(response.status).toBe(400);
    expect(response.json.error).toBe('expired_token');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('the embedded channel without a device', () => {
  let server: TestServer;
  afterAll(() => server?.close());

  it('cannot be chosen: 400 with a JSON result, settings unchanged', async () => {
    server = await startTestServer();
    const front = await createFront(server);
    const url = `${server.baseUrl}/admin/services/${front.serviceId}/front`;
    const refused = await request(url, {
      method: 'PUT',
      headers: { ...bearer(server.adminToken), 'content-type': 'application/json' },
      body: JSON.stringify({ deviceChannel: 'embedded' }),
    });
    expect(refused.status).toBe(400);
    expect(refused.json.resultMessage).toMatch(/embedded authentication device/);
    const current = await request(url, { headers: bearer(server.adminToken) });
    expect(current.json.deviceChannel).toBe('simulator');
  });
});
