import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedDevice, subscribe, testSubscription } from '../support/authenticator.js';
import { ManualClock } from '../support/clock.js';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request, type RawResponse } from '../support/http.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

function expectOAuthError(response: RawResponse, status: number, error = 'invalid_request') {
  expect(response.status, response.text).toBe(status);
  expect(response.json.error).toBe(error);
  expect(response.headers.get('cache-control')).toBe('no-store');
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe.each(DIALECTS)('authenticator API (%s)', (dialect) => {
  let server: TestServer;
  let front: FrontFixture;
  let appUrl: string;
  let push: Receiver;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    push = await startReceiver((_r, res) => res.writeHead(201).end());
    server = await startTestServer({ dialect, publicHost: 'localhost', clock, background: false });
    front = await createFront(server);
    await front.admin('PUT', `/admin/services/${front.serviceId}/front`, { deviceChannel: 'authenticator' });
    appUrl = `${front.issuer}/authenticator`;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await push?.close();
  });

  it('serves the app with a strict CSP and only its own files', async () => {
    const page = await request(`${appUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.text).not.toMatch(/<script>(?!<\/script>)/);
    expect((await request(`${appUrl}/manifest.webmanifest`)).headers.get('content-type')).toContain('application/manifest+json');
    expect((await request(`${appUrl}/webauthn.js`)).text).toContain('SimpleWebAuthnBrowser');
    expect((await request(`${appUrl}/sw.js`)).status).toBe(200);
    for (const name of ['..%2Fpackage.json', 'package.json', '.env', 'index.htm']) expect((await request(`${appUrl}/${name}`)).status).toBe(404);
  });

  it('issues enrolment links only for active users, within ten minutes', async () => {
    const path = (subject: string) => `/admin/services/${front.serviceId}/users/${subject}/enrolments`;
    const issued = await front.admin('POST', path('alice'), { expiresIn: 60 });
    expect(issued.code).toMatch(/^[\w-]{43}$/);
    expect(Date.parse(issued.expiresAt) - clock.now()).toBe(60_000);
    await expect(front.admin('POST', path('nobody'), {})).rejects.toThrow(/404/);
    await expect(front.admin('POST', path('carol'), {})).rejects.toThrow(/400/);
    await expect(front.admin('POST', path('alice'), { expiresIn: 601 })).rejects.toThrow(/400/);
    await expect(front.admin('POST', path('alice'), { expiresIn: 60, extra: 1 })).rejects.toThrow(/400/);
  });

  it('an enrolment code starts a registration with user verification required, until it expires', async () => {
    const issued = await front.admin('POST', `/admin/services/${front.serviceId}/users/alice/enrolments`, { expiresIn: 120 });
    const started = await request(`${appUrl}/api/enrol/start`, json({ code: issued.code }));
    expect(started.status).toBe(200);
    expect(started.json.options.rp.id).toBe('localhost');
    expect(started.json.options.authenticatorSelection.userVerification).toBe('required');
    expect(started.json.options.attestation).toBe('none');
    expect(started.json.vapidPublicKey).toMatch(/^[\w-]{87}$/);
    // A made-up attestation is refused, and its challenge is used up.
    const forged = { code: issued.code, challengeId: started.json.challengeId, response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'AAAA', attestationObject: 'AAAA' } } };
    expectOAuthError(await request(`${appUrl}/api/enrol/finish`, json(forged)), 400);
    expectOAuthError(await request(`${appUrl}/api/enrol/finish`, json(forged)), 400);
    clock.advance(121_000);
    expectOAuthError(await request(`${appUrl}/api/enrol/start`, json({ code: issued.code })), 400, 'invalid_grant');
    // Housekeeping removes expired codes and challenges.
    const purged = await server.runtime.store.purgeExpired(clock.now(), { finishedMs: 0, transactionsMs: 3_600_000 }, 100);
    expect(purged.authenticatorCeremonies).toBeGreaterThanOrEqual(2);
  });

  it('refuses malformed, oversized and hostile enrolment bodies with JSON errors', async () => {
    const start = (body: unknown) => request(`${appUrl}/api/enrol/start`, json(body));
    expectOAuthError(await start({}), 400);
    expectOAuthError(await start({ code: 'x'.repeat(129) }), 400);
    expectOAuthError(await start({ code: 'not base64url!' }), 400);
    expectOAuthError(await start({ code: 'abc', more: 1 }), 400);
    expectOAuthError(await start([1, 2]), 400);
    expectOAuthError(await start('{"code":'), 400);
    expectOAuthError(await start(`{"code":"a","x":${'['.repeat(5000)}${']'.repeat(5000)}}`), 413);
    expectOAuthError(await start({ code: randomBytes(32).toString('base64url') }), 400, 'invalid_grant');
    const nested = { code: 'a', challengeId: 'b', response: { id: 'a', rawId: 'a', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'a', attestationObject: 'a', deep: JSON.parse(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`) } } };
    expectOAuthError(await request(`${appUrl}/api/enrol/finish`, json(nested)), 400);
  });

  it('accepts a well-formed push subscription and refuses malformed ones, storing nothing', async () => {
    const device = await storedDevice(server, front.serviceId, 'bob');
    const good = testSubscription(push.url('/push/bob'));
    expectOAuthError(await subscribe(appUrl, 'no-such-token', good.json), 401, 'invalid_token');
    expect((await subscribe(appUrl, device.token, good.json)).status).toBe(204);
    const keys = good.json.keys;
    const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url');
    const hostile: unknown[] = [
      [],
      'text',
      { ...good.json, extra: true },
      { ...good.json, endpoint: `https://push.example/${'a'.repeat(2048)}` },
      { ...good.json, endpoint: 'http://push.example/plain' },
      { ...good.json, endpoint: 'ftp://push.example/x' },
      { ...good.json, keys: { ...keys, p256dh: Buffer.alloc(65, 4).toString('base64url').slice(0, 40) } },
      { ...good.json, keys: { ...keys, p256dh: Buffer.concat([Buffer.from([2]), Buffer.alloc(64, 1)]).toString('base64url') } },
      { ...good.json, keys: { ...keys, p256dh: offCurve } },
      { ...good.json, keys: { ...keys, auth: randomBytes(15).toString('base64url') } },
      { ...good.json, keys: { ...keys, auth: '+/+/+/+/+/+/+/+/+/+/+w==' } },
      { ...good.json, keys: { ...keys, extra: 'x' } },
      { ...good.json, keys: [keys.p256dh, keys.auth] },
      { ...good.json, expirationTime: 'never' },
    ];
    for (const body of hostile) expectOAuthError(await subscribe(appUrl, device.token, body), 400);
    expectOAuthError(await subscribe(appUrl, device.token, { ...good.json, padding: 'x'.repeat(5000) }), 413);
    const stored = await server.runtime.store.listSubscriptions(Number(front.serviceId), 'bob');
    expect(stored.map((s) => s.endpoint)).toEqual([good.json.endpoint]);
  });

  it('a push service answering 410 removes the subscription; the payload is only a handle', async () => {
    const device = await storedDevice(server, front.serviceId, 'alice');
    const gone = testSubscription(push.url('/push/gone'));
    expect((await subscribe(appUrl, device.token, gone.json)).status).toBe(204);
    push.handler = (r, res) => res.writeHead(r.path === '/push/gone' ? 410 : 201).end();
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', binding_message: 'Gone' }, basicAuth(front.clientId, front.clientSecret));
    expect(started.status).toBe(200);
    await server.runtime.front.dispatcher.runOnce();
    expect(push.requests.some((r) => r.path === '/push/gone')).toBe(true);
    expect((await server.runtime.store.listSubscriptions(Number(front.serviceId), 'alice')).map((s) => s.endpoint)).not.toContain(gone.json.endpoint);
    push.handler = (_r, res) => res.writeHead(201).end();
  });

  it('a push service answering 429 or 5xx is tried again after its Retry-After and the backoff; 413 is not', async () => {
    const device = await storedDevice(server, front.serviceId, 'alice');
    const busy = testSubscription(push.url('/push/busy'));
    expect((await subscribe(appUrl, device.token, busy.json)).status).toBe(204);
    const answers = [
      { status: 429, headers: { 'retry-after': '5' } },
      { status: 503, headers: { 'retry-after': 'not a date' } },
      { status: 201, headers: {} },
    ];
    push.handler = (r, res) => {
      if (r.path !== '/push/busy') return void res.writeHead(201).end();
      const answer = answers.shift() ?? { status: 201, headers: {} };
      res.writeHead(answer.status, answer.headers).end();
    };
    const pushAttempts = async () =>
      ((await front.admin('GET', `/admin/services/${front.serviceId}/events?type=notification.attempt&limit=1000`)).events as { data: Record<string, unknown> }[])
        .filter((e) => e.data.kind === 'webpush')
        .map((e) => [e.data.status, e.data.outcome, e.data.attempt]);
    const baseline = (await pushAttempts()).length;
    const pendingIds: string[] = [];
    try {
      const sentToBusy = () => push.requests.filter((r) => r.path === '/push/busy').length;
      const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', binding_message: 'Busy' }, basicAuth(front.clientId, front.clientSecret));
      expect(started.status).toBe(200);
      pendingIds.push(started.json.auth_req_id as string);
      await server.runtime.front.dispatcher.runOnce();
      expect(sentToBusy()).toBe(1);
      // The push service asked for 5 s: not before.
      clock.advance(4_000);
      await server.runtime.front.dispatcher.runOnce();
      expect(sentToBusy()).toBe(1);
      clock.advance(1_100);
      await server.runtime.front.dispatcher.runOnce();
      expect(sentToBusy()).toBe(2);
      // An unreadable Retry-After leaves the backoff (at most 2 s after the second attempt).
      clock.advance(2_100);
      await server.runtime.front.dispatcher.runOnce();
      expect(sentToBusy()).toBe(3);
      // Other devices of hers took theirs at the first attempt.
      const busyAttempts = (await pushAttempts()).slice(baseline).filter(([status, , attempt]) => status !== 201 || attempt !== 1);
      expect(busyAttempts).toEqual([[429, 'retry', 1], [503, 'retry', 2], [201, 'delivered', 3]]);
      expect((await server.runtime.store.listSubscriptions(Number(front.serviceId), 'alice')).map((s) => s.endpoint)).toContain(busy.json.endpoint);

      // 413 (a message the push service will never take) fails at once, and keeps the subscription.
      answers.push({ status: 413, headers: { 'retry-after': '1' } });
      const tooBig = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', binding_message: 'Too big' }, basicAuth(front.clientId, front.clientSecret));
      expect(tooBig.status).toBe(200);
      pendingIds.push(tooBig.json.auth_req_id as string);
      await server.runtime.front.dispatcher.runOnce();
      expect((await pushAttempts()).filter(([status]) => status === 413)).toEqual([[413, 'failed', 1]]);
      clock.advance(2_000);
      await server.runtime.front.dispatcher.runOnce();
      expect(sentToBusy()).toBe(4);
      expect((await server.runtime.store.listSubscriptions(Number(front.serviceId), 'alice')).map((s) => s.endpoint)).toContain(busy.json.endpoint);
    } finally {
      push.handler = (_r, res) => res.writeHead(201).end();
      await server.runtime.store.deleteSubscription(Number(front.serviceId), busy.json.endpoint);
      // Pending requests count against her cap in the tests after this one.
      for (const authReqId of pendingIds) await request(`${front.issuer}/device/api/ciba/${authReqId}/deny`, { method: 'POST' });
    }
  });

  it("another user's device sees no request of hers, and a device token opens nothing else", async () => {
    const alice = await storedDevice(server, front.serviceId, 'alice');
    const bob = await storedDevice(server, front.serviceId, 'bob');
    await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', binding_message: 'Mine' }, basicAuth(front.clientId, front.clientSecret));
    const list = await request(`${appUrl}/api/requests`, { headers: bearer(alice.token) });
    const handle = list.json.requests[0].handle as string;
    expect((await request(`${appUrl}/api/requests/${handle}`, { headers: bearer(alice.token) })).status).toBe(200);
    expectOAuthError(await request(`${appUrl}/api/requests/${handle}`, { headers: bearer(bob.token) }), 404, 'not_found');
    expect((await request(`${appUrl}/api/requests`, { headers: bearer(bob.token) })).json.requests).toEqual([]);
    expectOAuthError(await request(`${appUrl}/api/requests/${handle}/not-me`, { method: 'POST', headers: bearer(bob.token) }), 404, 'not_found');
    expectOAuthError(await request(`${appUrl}/api/devices/${alice.id}`, { method: 'DELETE', headers: bearer(bob.token) }), 404, 'not_found');
    expectOAuthError(await request(`${appUrl}/api/requests/${handle}`, { headers: bearer(`${alice.token}x`) }), 401, 'invalid_token');
  });

  it('devices are listed and revocable by the admin API and by their user', async () => {
    const device = await storedDevice(server, front.serviceId, 'bob');
    const listed = await front.admin('GET', `/admin/services/${front.serviceId}/users/bob/devices`);
    expect(listed.devices.map((d: { id: string }) => d.id)).toContain(device.id);
    expect(JSON.stringify(listed)).not.toMatch(/publicKey|tokenDigest|credentialId/);
    const own = await request(`${appUrl}/api/devices`, { headers: bearer(device.token) });
    expect(own.json.thisDevice).toBe(device.id);
    expect((await request(`${appUrl}/api/devices/${device.id}`, { method: 'DELETE', headers: bearer(device.token) })).status).toBe(204);
    expectOAuthError(await request(`${appUrl}/api/devices`, { headers: bearer(device.token) }), 401, 'invalid_token');
    await expect(front.admin('DELETE', `/admin/services/${front.serviceId}/users/bob/devices/${device.id}`)).rejects.toThrow(/404/);
  });

  it('number matching: the binding message must show a number, which the app hides among three', async () => {
    await front.admin('PUT', `/admin/services/${front.serviceId}/front`, { authenticatorNumberMatching: true });
    try {
      const device = await storedDevice(server, front.serviceId, 'alice');
      const noNumber = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', binding_message: 'No number' }, basicAuth(front.clientId, front.clientSecret));
      expect(noNumber.status).toBe(400);
      expect(noNumber.json.error).toBe('invalid_binding_message');
      const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', binding_message: 'Code 73' }, basicAuth(front.clientId, front.clientSecret));
      expect(started.status).toBe(200);
      const { requests } = (await request(`${appUrl}/api/requests`, { headers: bearer(device.token) })).json;
      const views = await Promise.all(requests.map((r: { handle: string }) => request(`${appUrl}/api/requests/${r.handle}`, { headers: bearer(device.token) })));
      const view = views.find((v) => v.json.tx.binding_message === 'Code 73')!.json;
      expect(view.numberChoices).toHaveLength(3);
      expect(view.numberChoices).toContain('73');
      expect(view.displayBindingMessage).not.toContain('73');
    } finally {
      await front.admin('PUT', `/admin/services/${front.serviceId}/front`, { authenticatorNumberMatching: false });
    }
  });

  it("shows the client's logo only when it is registered as an https URL", async () => {
    const api = front.admin;
    const device = await storedDevice(server, front.serviceId, 'alice');
    const viewFor = async (logoUri: string | undefined) => {
      const created = await api('POST', `/api/${front.serviceId}/client/create`, { clientName: 'Logo test', bcDeliveryMode: 'POLL', ...(logoUri ? { logoUri } : {}) });
      const { clientId, clientSecret } = created as { clientId: number; clientSecret: string };
      const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice' }, basicAuth(String(clientId), clientSecret));
      expect(started.status, started.text).toBe(200);
      const list = await request(`${appUrl}/api/requests`, { headers: bearer(device.token) });
      const handle = (list.json.requests as { handle: string; clientName: string }[]).find((r) => r.clientName === 'Logo test')!.handle;
      const view = await request(`${appUrl}/api/requests/${handle}`, { headers: bearer(device.token) });
      expect(view.status, view.text).toBe(200);
      await request(`${appUrl}/api/requests/${handle}/not-me`, { method: 'POST', headers: { ...bearer(device.token), 'content-type': 'application/json' }, body: '{}' });
      return view.json;
    };
    expect((await viewFor('https://bank.example/logo.png')).clientLogoUri).toBe('https://bank.example/logo.png');
    expect((await viewFor('http://bank.example/logo.png')).clientLogoUri).toBeUndefined();
    expect((await viewFor(undefined)).clientLogoUri).toBeUndefined();
    // The page may load it: images from https origins, and still only its own scripts.
    const page = await request(`${appUrl}/`);
    expect(page.headers.get('content-security-policy')).toContain("img-src 'self' data: https:;");
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self';");
  });

  it('a deleted user takes her devices and unused enrolment codes with her: the subject created again inherits none', async () => {
    const api = front.admin;
    await api('PUT', `/admin/services/${front.serviceId}/users/dora`, { name: 'Dora' });
    const device = await storedDevice(server, front.serviceId, 'dora');
    const enrolment = await api('POST', `/admin/services/${front.serviceId}/users/dora/enrolments`, {});
    expect((await request(`${appUrl}/api/requests`, { headers: bearer(device.token) })).status).toBe(200);
    await api('DELETE', `/admin/services/${front.serviceId}/users/dora`);
    await api('PUT', `/admin/services/${front.serviceId}/users/dora`, { name: 'Another Dora' });
    expectOAuthError(await request(`${appUrl}/api/requests`, { headers: bearer(device.token) }), 401, 'invalid_token');
    expect((await api('GET', `/admin/services/${front.serviceId}/users/dora/devices`)).devices).toEqual([]);
    // Her unused code was deleted with her: it does not enrol a device for the new Dora.
    expectOAuthError(await request(`${appUrl}/api/enrol/start`, json({ code: enrolment.code })), 400, 'invalid_grant');
  });

  it("refusals go to the audit trail: a forged assertion, 'This wasn't me' and the suspension it starts", async () => {
    await front.admin('PUT', `/admin/services/${front.serviceId}/front`, { authenticatorNotMeSuspensionSeconds: 60 });
    const rules = async (authReqId: string) =>
      ((await front.admin('GET', `/admin/services/${front.serviceId}/requests/${authReqId}/evidence`)).events as { type: string; data: Record<string, unknown> }[])
        .filter((e) => e.type === 'security.refused')
        .map((e) => e.data);
    try {
      const device = await storedDevice(server, front.serviceId, 'alice');
      const start = (message: string) => postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', binding_message: message }, basicAuth(front.clientId, front.clientSecret));
      const started = await start('Audited');
      expect(started.status, started.text).toBe(200);
      const authReqId = started.json.auth_req_id as string;
      const { requests } = (await request(`${appUrl}/api/requests`, { headers: bearer(device.token) })).json;
      const handle = (await Promise.all(requests.map(async (r: { handle: string }) => ({ handle: r.handle, view: await request(`${appUrl}/api/requests/${r.handle}`, { headers: bearer(device.token) }) }))))
        .find((r) => r.view.json.tx.binding_message === 'Audited')!;
      const b64 = (n: number) => randomBytes(n).toString('base64url');
      const forged = { id: b64(32), rawId: b64(32), type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: b64(64), authenticatorData: b64(37), signature: b64(70) } };
      const decided = await request(`${appUrl}/api/requests/${handle.handle}/decision`, json({ challengeId: handle.view.json.challengeId, decision: 'approve', response: forged }, bearer(device.token)));
      expectOAuthError(decided, 400);
      expect(await rules(authReqId)).toEqual([expect.objectContaining({ rule: 'authenticator_assertion_invalid' })]);

      const reported = await request(`${appUrl}/api/requests/${handle.handle}/not-me`, { method: 'POST', headers: bearer(device.token) });
      expect(reported.status, reported.text).toBe(200);
      expect((await rules(authReqId)).map((r) => r.rule)).toEqual(['authenticator_assertion_invalid', 'authenticator_not_me']);
      const evidence = await front.admin('GET', `/admin/services/${front.serviceId}/requests/${authReqId}/evidence`);
      expect(evidence.events.find((e: { type: string }) => e.type === 'decision.recorded').data).toMatchObject({ outcome: 'denied', channel: 'authenticator' });

      const refused = await start('Again');
      expect(refused.status).toBe(403);
      const { events } = await front.admin('GET', `/admin/services/${front.serviceId}/events?type=security.refused&clientId=${front.clientId}`);
      expect(events.at(-1)).toMatchObject({ subject: 'alice', data: { rule: 'authenticator_suspended', suspendedUntil: expect.any(String) } });
      // No secret of the device in the trail.
      expect(JSON.stringify(events)).not.toContain(device.token);
    } finally {
      await front.admin('PUT', `/admin/services/${front.serviceId}/front`, { authenticatorNotMeSuspensionSeconds: 3600 });
      clock.advance(61_000);
    }
  });

  it('enrolment links, push subscriptions, device revocations and key rotations are admin.changed events', async () => {
    const changes = async (after: number) =>
      ((await front.admin('GET', `/admin/services/${front.serviceId}/events?type=admin.changed&limit=1000`)).events as { subject?: string; data: Record<string, unknown> }[]).slice(after);
    const before = (await changes(0)).length;
    const issued = await front.admin('POST', `/admin/services/${front.serviceId}/users/alice/enrolments`, { expiresIn: 60 });
    const own = await storedDevice(server, front.serviceId, 'alice');
    expect((await subscribe(appUrl, own.token, testSubscription(push.url('/push/audited')).json)).status).toBe(204);
    expect((await request(`${appUrl}/api/devices/${own.id}`, { method: 'DELETE', headers: bearer(own.token) })).status).toBe(204);
    const other = await storedDevice(server, front.serviceId, 'alice');
    await front.admin('DELETE', `/admin/services/${front.serviceId}/users/alice/devices/${other.id}`);
    // A refused change is no change.
    await expect(front.admin('DELETE', `/admin/services/${front.serviceId}/users/alice/devices/${other.id}`)).rejects.toThrow(/404/);
    expect((await request(`${appUrl}/api/devices/${own.id}`, { method: 'DELETE', headers: bearer(other.token) })).status).toBe(401);
    await front.admin('POST', `/admin/services/${front.serviceId}/keys/rotate`, {});
    const recorded = await changes(before);
    expect(recorded.map((e) => ({ subject: e.subject, ...e.data }))).toEqual([
      { subject: 'alice', actor: 'organization', resource: 'device', action: 'create', target: 'alice', changes: ['expiresIn'] },
      { subject: 'alice', actor: 'user', resource: 'device', action: 'update', target: own.id, changes: ['pushSubscription'] },
      { subject: 'alice', actor: 'user', resource: 'device', action: 'delete', target: own.id },
      { subject: 'alice', actor: 'organization', resource: 'device', action: 'delete', target: other.id },
      { subject: undefined, actor: 'organization', resource: 'key', action: 'rotate', target: front.serviceId },
    ]);
    expect(JSON.stringify(recorded)).not.toContain(issued.code);
  });

  it('refuses authenticator settings out of range', async () => {
    const put = (body: unknown) => front.admin('PUT', `/admin/services/${front.serviceId}/front`, body);
    await expect(put({ authenticatorNotMeSuspensionSeconds: -1 })).rejects.toThrow(/400/);
    await expect(put({ authenticatorAcr: 'has space' })).rejects.toThrow(/400/);
    await expect(put({ authenticatorNumberMatching: 'yes' })).rejects.toThrow(/400/);
    expect((await put({ authenticatorAcr: 'urn:example:acr' })).authenticatorAcr).toBe('urn:example:acr');
  });
});

describe('authenticator push endpoints in production', () => {
  let server: TestServer;
  let front: FrontFixture;

  beforeAll(async () => {
    server = await startTestServer({ mode: 'production', env: { OPENCIBA_PUBLIC_URL: 'https://login.example.com' }, background: false });
    front = await createFront(server);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('refuses endpoints at private, loopback, link-local and metadata addresses, and plain http', async () => {
    const device = await storedDevice(server, front.serviceId, 'alice');
    // The public URL is https behind a proxy; the test talks to the node itself.
    const appUrl = `${server.baseUrl}/s/${front.serviceId}/authenticator`;
    for (const endpoint of [
      'https://127.0.0.1/push',
      'https://localhost/push',
      'https://10.0.0.8/push',
      'https://172.16.3.4/push',
      'https://192.168.1.1/push',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/push',
      'https://[::1]/push',
      'https://[fd00::1]/push',
      'https://[fe80::1]/push',
      'https://[::ffff:10.0.0.1]/push',
      'https://0.0.0.0/push',
      'http://push.example.com/push',
    ]) {
      expectOAuthError(await subscribe(appUrl, device.token, testSubscription(endpoint).json), 400);
    }
    expect((await subscribe(appUrl, device.token, testSubscription('https://push.example.com/p/1').json)).status).toBe(204);
  });
});
