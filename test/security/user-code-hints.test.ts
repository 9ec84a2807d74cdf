import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi } from '../support/admin-api.js';
import { ManualClock } from '../support/clock.js';
import { createFront, type FrontFixture } from '../support/front-fixtures.js';
import { backchannel } from '../support/limit-fixtures.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 12, finding 3, tried again by the security review: the failure counter belongs to the
 * user, whatever names her (subject, email, phone number, in any spelling the directory matches)
 * and whichever client guesses; and it belongs to her service only.
 */
describe.each(DIALECTS)('user code lockout is per user, not per hint or per client (%s)', (dialect) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ dialect, clock: new ManualClock(Date.now()), background: false });
  });
  afterAll(() => server?.close());

  async function codeFront(): Promise<FrontFixture> {
    const front = await createFront(server, { bcUserCodeRequired: true }, { backchannelUserCodeParameterSupported: true });
    await front.admin('PUT', `/admin/services/${front.serviceId}/users/dave`, { name: 'Dave', email: 'Dave@Example.com', phone_number: '+15550009', userCode: '7319' });
    return front;
  }

  it('wrong codes sent through the subject, the email and the phone number add up to one lockout', async () => {
    const front = await codeFront();
    const hints = ['dave', 'Dave@Example.com', '+15550009', 'dave', 'Dave@Example.com'];
    for (const [i, hint] of hints.entries()) {
      const answer = await backchannel(front, { login_hint: hint, user_code: `000${i}` });
      expect(answer.json.error, hint).toBe('invalid_user_code');
    }
    for (const hint of ['+15550009', 'Dave@Example.com', 'dave']) {
      const locked = await backchannel(front, { login_hint: hint, user_code: '7319' });
      expect(locked.status, hint).toBe(429);
      expect(locked.json.error).toBe('access_denied');
    }
  });

  it('hints the directory does not match (other case, padding) name nobody and are not a way around the lock', async () => {
    const front = await codeFront();
    for (let i = 0; i < 5; i++) expect((await backchannel(front, { login_hint: 'dave', user_code: `100${i}` })).json.error).toBe('invalid_user_code');
    for (const hint of ['DAVE', ' dave', 'dave ', 'dave@example.com', 'DAVE@EXAMPLE.COM', '15550009', 'dave\u200b']) {
      const answer = await backchannel(front, { login_hint: hint, user_code: '7319' });
      expect(answer.status, hint).toBe(400);
      expect(answer.json.error, hint).toBe('unknown_user_id');
    }
    expect((await backchannel(front, { login_hint: 'dave', user_code: '7319' })).status).toBe(429);
  });

  it('two clients guessing at one user share her counter', async () => {
    const front = await codeFront();
    const other = await adminApi(server.baseUrl, server.adminToken).createClient(front.serviceId, { bcDeliveryMode: 'POLL', bcUserCodeRequired: true });
    const second = { issuer: front.issuer, clientId: other.clientId, clientSecret: other.clientSecret };
    for (let i = 0; i < 5; i++) {
      const answer = await backchannel(i % 2 ? second : front, { login_hint: 'dave', user_code: `200${i}` });
      expect(answer.json.error).toBe('invalid_user_code');
    }
    expect((await backchannel(second, { login_hint: 'dave', user_code: '7319' })).status).toBe(429);
    expect((await backchannel(front, { login_hint: 'dave', user_code: '7319' })).status).toBe(429);
  });

  it("a lockout in one service does not lock the same subject in another service", async () => {
    const [one, two] = [await codeFront(), await codeFront()];
    for (let i = 0; i < 5; i++) await backchannel(one, { login_hint: 'dave', user_code: `300${i}` });
    expect((await backchannel(one, { login_hint: 'dave', user_code: '7319' })).status).toBe(429);
    expect((await backchannel(two, { login_hint: 'dave', user_code: '7319' })).status).toBe(200);
  });
});
