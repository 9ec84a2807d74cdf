import Database from 'better-sqlite3';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptPush, launchChromium, pageWithPasskey, subscribe, testSubscription, type TestSubscription } from '../support/authenticator.js';
import { ManualClock } from '../support/clock.js';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { adminApi } from '../support/admin-api.js';
import { screenshotPath } from '../support/screenshots.js';
import { decisionChallenge, type CanonicalTransaction } from '../../src/op/authenticator/transaction-digest.js';

const PAYMENT = [{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '123.45' }, creditorName: 'Merchant A', creditorAccount: { iban: 'DE02100100109307118603' } }];
const CIBA = 'urn:openid:params:grant-type:ciba';

/**
 * The authenticator app end to end, in Debian's Chromium with a CDP virtual authenticator (the
 * phone's passkey): enrolment by one-time link, a push that the loopback push service decrypts,
 * approvals whose passkey signature covers what the page showed, and what must fail.
 */
describe('authenticator app in a real browser', () => {
  let server: TestServer;
  let front: FrontFixture;
  let browser: Browser;
  let push: Receiver;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  let appUrl: string;
  let deviceToken: string;
  let subscription: TestSubscription;
  const clock = new ManualClock(Date.now());

  const backchannel = (form: Record<string, string>) => postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid profile', login_hint: 'alice', ...form }, basicAuth(front.clientId, front.clientSecret));
  /** Ends a request a test leaves pending (the automated approval URL), so pending-request caps do not carry over. */
  const settle = (authReqId: string) => request(`${front.issuer}/device/api/ciba/${authReqId}/deny`, { method: 'POST' });
  const token = (authReqId: string) => postForm(`${front.issuer}/token`, { grant_type: CIBA, auth_req_id: authReqId }, basicAuth(front.clientId, front.clientSecret));

  /** Sends what the outbox holds and returns the handles the pushes carried, decrypted. */
  async function deliveredHandles(): Promise<string[]> {
    const before = push.requests.length;
    await server.runtime.front.dispatcher.runOnce();
    return push.requests.slice(before).map((r) => (JSON.parse(decryptPush(subscription, r.raw)) as { rid: string }).rid);
  }

  /** The service's security.refused rules recorded so far, oldest first. */
  async function refusedRules(): Promise<string[]> {
    const { events } = await front.admin('GET', `/admin/services/${front.serviceId}/events?type=security.refused&limit=1000`);
    return events.map((e: { data: { rule: string } }) => e.data.rule);
  }

  async function openRequest(handle: string) {
    await page.goto(`${appUrl}/#r/${handle}`);
    await page.getByTestId('request').waitFor({ timeout: 10_000 }).catch(async (e) => { throw new Error(`${String(e)} status=${await page.getByTestId('status').textContent()}`); });
  }

  beforeAll(async () => {
    push = await startReceiver((_r, res) => res.writeHead(201).end());
    server = await startTestServer({ publicHost: 'localhost', clock, background: false });
    front = await createFront(server, { authorizationDetailsTypes: ['payment_initiation'] }, { supportedAuthorizationDetailsTypes: ['payment_initiation'] });
    await front.admin('PUT', `/admin/services/${front.serviceId}/front`, {
      deviceChannel: 'authenticator',
      authenticatorAcr: 'urn:openciba:acr:passkey',
      authenticatorNotMeSuspensionSeconds: 600,
      // The manual clock stands still: every request of this file falls in one minute.
      maxRequestsPerMinutePerUser: 1000,
    });
    appUrl = `${front.issuer}/authenticator`;
    browser = await launchChromium();
    ({ page, cdp, authenticatorId } = await pageWithPasskey(browser, new URL(appUrl).origin));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await push?.close();
  });

  it('enrols with a one-time link: a passkey, then a push subscription through the API the page uses', async () => {
    const issued = await front.admin('POST', `/admin/services/${front.serviceId}/users/alice/enrolments`, {});
    expect(issued.link).toBe(`${appUrl}/#enrol=${issued.code}`);
    await page.goto(issued.link);
    await page.getByTestId('enrol').click();
    // Headless Chromium has no push service, so the page says it will list requests itself.
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 15_000 }).toContain('Enrolled.');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.rpId).toBe('localhost');
    deviceToken = await page.evaluate(() => JSON.parse(localStorage.getItem('openciba.authenticator.device')!).deviceToken as string);

    subscription = testSubscription(push.url('/push/alice-phone'));
    const subscribed = await subscribe(appUrl, deviceToken, subscription.json);
    expect(subscribed.status, subscribed.text).toBe(204);
    const devices = await front.admin('GET', `/admin/services/${front.serviceId}/users/alice/devices`);
    expect(devices.devices).toHaveLength(1);
    expect(JSON.stringify(devices)).not.toContain(credentials[0]!.privateKey);
    // Her enrolment is in the audit trail, by her, naming the new device.
    const changed = (await front.admin('GET', `/admin/services/${front.serviceId}/events?type=admin.changed&limit=1000`)).events;
    expect(changed.slice(-2)).toMatchObject([
      { subject: 'alice', data: { actor: 'user', resource: 'device', action: 'create', target: devices.devices[0].id, changes: ['passkey', 'label'] } },
      { subject: 'alice', data: { actor: 'user', resource: 'device', action: 'update', target: devices.devices[0].id, changes: ['pushSubscription'] } },
    ]);

    // The link was for one enrolment.
    const again = await request(`${appUrl}/api/enrol/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: issued.code }) });
    expect(again.status).toBe(400);
    expect(again.json.error).toBe('invalid_grant');
  }, 60_000);

  it('poll: the push decrypts to an opaque handle, the page shows amount and creditor, the passkey approves and the ID token says how', async () => {
    const started = await backchannel({ binding_message: 'Pay 42 EUR', authorization_details: JSON.stringify(PAYMENT) });
    expect(started.status).toBe(200);
    const authReqId = started.json.auth_req_id as string;
    const [handle] = await deliveredHandles();
    const sent = push.requests.at(-1)!;
    expect(sent.headers['content-encoding']).toBe('aes128gcm');
    expect(sent.headers.urgency).toBe('high');
    expect(Number(sent.headers.ttl)).toBeGreaterThan(0);
    expect(String(sent.headers.authorization)).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
    const jwt = /t=([^,]+)/.exec(String(sent.headers.authorization))![1]!;
    expect(decodeProtectedHeader(jwt).alg).toBe('ES256');
    expect(decodeJwt(jwt).aud).toBe(new URL(push.url()).origin);
    // Nothing of the request in clear, in the push or beside it.
    expect(decryptPush(subscription, sent.raw)).not.toContain('42');
    expect(handle).toMatch(/^[\w-]{20,}$/);

    await openRequest(handle!);
    expect(await page.getByTestId('client-name').textContent()).toBe('Front test client');
    expect(await page.getByTestId('client-logo').count()).toBe(0);
    expect(await page.getByTestId('binding-message').textContent()).toBe('Pay 42 EUR');
    expect(await page.getByTestId('amount').textContent()).toBe('123.45 EUR');
    expect(await page.getByTestId('creditor').textContent()).toContain('Merchant A');
    expect(await page.getByTestId('scopes').textContent()).toContain('openid profile');
    expect(await page.getByTestId('time-left').textContent()).toMatch(/left$/);
    await page.screenshot({ path: screenshotPath('authenticator-approval.png') });
    await page.getByTestId('approve').click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 15_000 }).toBe('Approved.');
    // The signed assertion is kept with the request, with the transaction it covers.
    const evidence = await server.runtime.store.getEvidence(Number(front.serviceId), handle!);
    expect(evidence?.outcome).toBe('approved');
    expect(evidence?.data).toMatchObject({ decision: 'approve', userVerified: true, tx: { binding_message: 'Pay 42 EUR', authorization_details: PAYMENT } });
    expect(typeof evidence?.data.signature).toBe('string');
    // The evidence endpoint tells the same: what the device showed and signed, in the chain, before the decision it led to.
    const story = await front.admin('GET', `/admin/services/${front.serviceId}/requests/${authReqId}/evidence`);
    expect(story.chain.verified).toBe(true);
    const types = story.events.map((e: { type: string }) => e.type);
    expect(types.indexOf('device.signed')).toBeGreaterThan(types.indexOf('device.notified'));
    expect(types.indexOf('device.signed')).toBe(types.indexOf('decision.recorded') - 1);
    const signed = story.events.find((e: { type: string }) => e.type === 'device.signed');
    expect(signed.seq).toEqual(expect.any(Number));
    expect(signed.data).toMatchObject({ channel: 'authenticator', decision: 'approve', userVerified: true, tx: { handle, binding_message: 'Pay 42 EUR', authorization_details: PAYMENT } });
    expect(signed.data).toMatchObject({ credentialId: evidence?.data.credentialId, authenticatorData: evidence?.data.authenticatorData, signature: evidence?.data.signature });
    // What was signed: the client data's challenge is the digest of the transaction shown, recomputable from the event alone.
    expect(signed.data.challenge).toBe(decisionChallenge(signed.data.tx as CanonicalTransaction, 'approve'));
    expect(JSON.parse(Buffer.from(signed.data.clientDataJSON as string, 'base64url').toString()).challenge).toBe(signed.data.challenge);
    const decided = story.events.find((e: { type: string }) => e.type === 'decision.recorded');
    expect(decided.data).toMatchObject({ outcome: 'approved', channel: 'authenticator', decidedBy: 'user' });

    const tokens = await token(authReqId);
    expect(tokens.status).toBe(200);
    const idToken = decodeJwt(tokens.json.id_token as string);
    expect(idToken.amr).toEqual(['hwk', 'user', 'mfa']);
    expect(idToken.acr).toBe('urn:openciba:acr:passkey');
    expect(idToken.sub).toBe('alice');
  }, 60_000);

  it('ping: approval notifies the client, which then gets tokens for exactly the payment shown', async () => {
    const notified = await startReceiver();
    try {
      const api = adminApi(server.baseUrl, server.adminToken);
      const ping = await api.createClient(front.serviceId, { clientName: 'Ping shop', logoUri: 'https://shop.example/logo.png', bcDeliveryMode: 'PING', bcNotificationEndpoint: notified.url('/ping'), authorizationDetailsTypes: ['payment_initiation'] });
      const started = await postForm(
        `${front.issuer}/backchannel/authentication`,
        { scope: 'openid', login_hint: 'alice', binding_message: 'Shop 7', client_notification_token: 'ping-token-0123456789', authorization_details: JSON.stringify(PAYMENT) },
        basicAuth(ping.clientId, ping.clientSecret),
      );
      expect(started.status).toBe(200);
      const [handle] = await deliveredHandles();
      await openRequest(handle!);
      expect(await page.getByTestId('client-name').textContent()).toBe('Ping shop');
      // The registered https logo is shown (loaded without a referrer), above the name.
      expect(await page.getByTestId('client-logo').getAttribute('src')).toBe('https://shop.example/logo.png');
      expect(await page.getByTestId('client-logo').getAttribute('referrerpolicy')).toBe('no-referrer');
      expect(await page.getByTestId('amount').textContent()).toBe('123.45 EUR');
      await page.getByTestId('approve').click();
      await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 15_000 }).toBe('Approved.');
      await server.runtime.front.dispatcher.runOnce();
      expect(notified.requests).toHaveLength(1);
      expect(JSON.parse(notified.requests[0]!.body)).toEqual({ auth_req_id: started.json.auth_req_id });
      expect(notified.requests[0]!.headers.authorization).toBe('Bearer ping-token-0123456789');
      const tokens = await postForm(`${front.issuer}/token`, { grant_type: CIBA, auth_req_id: started.json.auth_req_id as string }, basicAuth(ping.clientId, ping.clientSecret));
      expect(tokens.status).toBe(200);
      expect(decodeJwt(tokens.json.id_token as string).amr).toEqual(['hwk', 'user', 'mfa']);
      expect(tokens.json.authorization_details?.[0]?.creditorName ?? 'Merchant A').toBe('Merchant A');
    } finally {
      await notified.close();
    }
  }, 60_000);

  it('number matching: the right pick approves, a wrong pick denies with no second try', async () => {
    await front.admin('PUT', `/admin/services/${front.serviceId}/front`, { authenticatorNumberMatching: true });
    try {
      for (const right of [true, false]) {
        const started = await backchannel({ binding_message: 'Code 58' });
        const [handle] = await deliveredHandles();
        await openRequest(handle!);
        expect(await page.getByTestId('binding-message').textContent()).not.toContain('58');
        const choices = page.getByTestId('number-choices').getByRole('button');
        expect(await choices.count()).toBe(3);
        const labels = await choices.allTextContents();
        await choices.nth(labels.findIndex((n) => (n === '58') === right)).click();
        await page.getByTestId('approve').click();
        await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 15_000 }).toBe(right ? 'Approved.' : 'Not recorded: The number did not match; the request was denied.');
        const answer = await token(started.json.auth_req_id as string);
        if (right) expect(answer.status).toBe(200);
        else {
          expect(answer.json.error).toBe('access_denied');
          expect((await refusedRules()).at(-1)).toBe('authenticator_number_mismatch');
        }
      }
    } finally {
      await front.admin('PUT', `/admin/services/${front.serviceId}/front`, { authenticatorNumberMatching: false });
    }
  }, 60_000);

  it("another user's passkey cannot decide her request, even with a valid signature of its own", async () => {
    // Bob enrols on his own phone.
    const bob = await pageWithPasskey(browser, new URL(appUrl).origin);
    try {
      const issued = await front.admin('POST', `/admin/services/${front.serviceId}/users/bob/enrolments`, {});
      await bob.page.goto(issued.link);
      await bob.page.getByTestId('enrol').click();
      await expect.poll(() => bob.page.getByTestId('status').textContent(), { timeout: 15_000 }).toContain('Enrolled.');
      const bobToken = await bob.page.evaluate(() => JSON.parse(localStorage.getItem('openciba.authenticator.device')!).deviceToken as string);
      const forBob = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'bob', user_code: '4321', binding_message: 'Bob' }, basicAuth(front.clientId, front.clientSecret));
      expect(forBob.status).toBe(200);
      const forAlice = await backchannel({ binding_message: 'Alice' });
      expect(await deliveredHandles()).toHaveLength(1);
      const aliceHandle = (await request(`${appUrl}/api/requests`, { headers: bearer(deviceToken) })).json.requests[0].handle as string;
      const bobHandle = (await request(`${appUrl}/api/requests`, { headers: bearer(bobToken) })).json.requests[0].handle as string;
      // Bob signs his own request's challenge in his browser, and the signature is aimed at Alice's request through her device token.
      let captured: Record<string, unknown> | undefined;
      await bob.page.route('**/decision', async (route) => {
        captured = JSON.parse(route.request().postData() ?? '{}') as Record<string, unknown>;
        await route.abort();
      });
      await bob.page.goto(`${appUrl}/#r/${bobHandle}`);
      await bob.page.getByTestId('approve').click();
      await expect.poll(() => captured !== undefined, { timeout: 15_000 }).toBe(true);
      const view = await request(`${appUrl}/api/requests/${aliceHandle}`, { headers: bearer(deviceToken) });
      const aimed = await request(`${appUrl}/api/requests/${aliceHandle}/decision`, {
        method: 'POST',
        headers: { ...bearer(deviceToken), 'content-type': 'application/json' },
        body: JSON.stringify({ ...captured, challengeId: view.json.challengeId }),
      });
      expect(aimed.status).toBe(400);
      expect((await token(forAlice.json.auth_req_id as string)).json.error).toBe('authorization_pending');
      await settle(forAlice.json.auth_req_id as string);
      await settle(forBob.json.auth_req_id as string);
    } finally {
      await bob.context.close();
    }
  }, 60_000);

  it("the service worker turns a push into a notification that opens the request", async () => {
    await backchannel({ binding_message: 'Via the worker' });
    const before = push.requests.length;
    const [handle] = await deliveredHandles();
    const plaintext = decryptPush(subscription, push.requests[before]!.raw);
    // Listen before enabling: the domain reports the existing registrations and versions while
    // it enables, and a push is delivered only once the app's worker is activated (as a real
    // push service's message reaches the active worker).
    const seen: string[] = [];
    const registrationId = await new Promise<string>((resolve) => {
      let ours: string | undefined;
      const activated = new Set<string>();
      const check = () => { if (ours && activated.has(ours)) resolve(ours); };
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        ours = registrations.find((r) => r.scopeURL === `${appUrl}/` && !r.isDeleted)?.registrationId ?? ours;
        check();
      });
      cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
        for (const v of versions) {
          seen.push(`${v.registrationId}:${v.status}:${v.runningStatus}`);
          if (v.status === 'activated') activated.add(v.registrationId);
        }
        check();
      });
      void cdp.send('ServiceWorker.enable');
    });
    const tags = () => page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => n.tag));
    // Chromium now and then drops a push handed to a worker it has only just activated (seen
    // about once in a dozen loaded runs, no notification and no error). A push service delivers
    // until the browser takes the message, so up to three deliveries; a worker that does not
    // show the notification fails all three.
    let deliveries = 0;
    for (; deliveries < 3; deliveries++) {
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: new URL(appUrl).origin, registrationId, data: plaintext });
      let shown = false;
      for (const until = Date.now() + 5_000; !shown && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) shown = (await tags()).includes(handle!);
      if (shown) break;
    }
    await expect.poll(tags, { timeout: 5_000, message: `${deliveries} deliveries; worker versions seen: ${seen.join(' ')}` }).toContain(handle);
    await cdp.send('ServiceWorker.disable');
    await openRequest(handle!);
    await page.getByTestId('deny').click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 15_000 }).toBe('Denied.');
  }, 60_000);

  it('deny with the passkey gives the client access_denied', async () => {
    const started = await backchannel({ binding_message: 'Deny me' });
    const [handle] = await deliveredHandles();
    await openRequest(handle!);
    await page.getByTestId('deny').click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 15_000 }).toBe('Denied.');
    expect((await token(started.json.auth_req_id as string)).json.error).toBe('access_denied');
  }, 60_000);

  it('a request altered after it was shown cannot be approved', async () => {
    const started = await backchannel({ binding_message: 'Pay 10 EUR', authorization_details: JSON.stringify(PAYMENT) });
    const [handle] = await deliveredHandles();
    await openRequest(handle!);
    expect(await page.getByTestId('amount').textContent()).toBe('123.45 EUR');
    // Someone with the database changes the amount between display and approval.
    const db = new Database(server.runtime.databaseLocation);
    const row = db.prepare('SELECT details FROM front_requests WHERE auth_req_id_digest = ?').get(handle) as { details: string };
    db.prepare('UPDATE front_requests SET details = ? WHERE auth_req_id_digest = ?').run(row.details.replace('123.45', '9123.45'), handle);
    db.close();
    await page.getByTestId('approve').click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 15_000 }).toContain('Not recorded');
    expect((await token(started.json.auth_req_id as string)).json.error).toBe('authorization_pending');
    await settle(started.json.auth_req_id as string);
  }, 60_000);

  it('an assertion replayed, or aimed at another request, is refused', async () => {
    const first = await backchannel({ binding_message: 'First' });
    const second = await backchannel({ binding_message: 'Second' });
    const [handleA, handleB] = await deliveredHandles();
    let captured: Record<string, unknown> | undefined;
    await page.route('**/decision', async (route) => {
      captured = JSON.parse(route.request().postData() ?? '{}') as Record<string, unknown>;
      await route.continue();
    });
    await openRequest(handleA!);
    await page.getByTestId('approve').click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 15_000 }).toBe('Approved.');
    await page.unroute('**/decision');
    const post = (handle: string, body: unknown) =>
      request(`${appUrl}/api/requests/${handle}/decision`, { method: 'POST', headers: { ...bearer(deviceToken), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Replayed: the request is decided and the challenge used.
    expect((await post(handleA!, captured)).status).toBe(409);
    // The same signature with a fresh challenge of another request: its digest differs.
    const view = await request(`${appUrl}/api/requests/${handleB}`, { headers: bearer(deviceToken) });
    const aimed = await post(handleB!, { ...captured, challengeId: view.json.challengeId });
    expect(aimed.status).toBe(400);
    expect(aimed.json.error).toBe('invalid_request');
    // A forged signature.
    const forged = await request(`${appUrl}/api/requests/${handleB}`, { headers: bearer(deviceToken) });
    const response = captured!.response as { response: Record<string, string> };
    const badSignature = { ...captured, challengeId: forged.json.challengeId, response: { ...response, response: { ...response.response, signature: Buffer.alloc(72, 1).toString('base64url') } } };
    expect((await post(handleB!, badSignature)).status).toBe(400);
    expect((await refusedRules()).slice(-2)).toEqual(['authenticator_assertion_invalid', 'authenticator_assertion_invalid']);
    expect((await token(first.json.auth_req_id as string)).status).toBe(200);
    expect((await token(second.json.auth_req_id as string)).json.error).toBe('authorization_pending');
    await settle(second.json.auth_req_id as string);
  }, 60_000);

  it("'This wasn't me' denies, and new requests from that client for her are refused for a while", async () => {
    const started = await backchannel({ binding_message: 'Not me' });
    expect(started.status, started.text).toBe(200);
    const [handle] = await deliveredHandles();
    await openRequest(handle!);
    await page.getByTestId('not-me').click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 15_000 }).toContain('Reported');
    expect((await token(started.json.auth_req_id as string)).json.error).toBe('access_denied');
    const refused = await backchannel({ binding_message: 'Again' });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toBe('access_denied');
    expect((await refusedRules()).slice(-2)).toEqual(['authenticator_not_me', 'authenticator_suspended']);
    const reported = await front.admin('GET', `/admin/services/${front.serviceId}/requests/${started.json.auth_req_id as string}/evidence`);
    expect(reported.events.find((e: { type: string }) => e.type === 'security.refused').data).toMatchObject({ rule: 'authenticator_not_me', suspendedUntil: expect.any(String) });
    clock.advance(601_000);
    expect((await backchannel({ binding_message: 'Later' })).status).toBe(200);
    await deliveredHandles();
  }, 60_000);

  it('a revoked device gets nothing', async () => {
    const { devices } = await front.admin('GET', `/admin/services/${front.serviceId}/users/alice/devices`);
    await front.admin('DELETE', `/admin/services/${front.serviceId}/users/alice/devices/${devices[0].id}`);
    await backchannel({ binding_message: 'After revocation' });
    expect(await deliveredHandles()).toEqual([]);
    expect((await request(`${appUrl}/api/requests`, { headers: bearer(deviceToken) })).status).toBe(401);
  }, 60_000);
});
