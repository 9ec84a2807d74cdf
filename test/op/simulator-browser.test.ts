
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('device simulator page in a real browser', () => {
  let server: TestServer;
  let front: FrontFixture;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    front = await createFront(server);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a user approves a request on the page and the client gets its tokens', async () => {
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid profile', login_hint: 'alice', binding_message: 'Pay 42 EUR' }, basicAuth(front.clientId, front.clientSecret));
    expect(started.status).toBe(200);
    const authReqId = started.json.auth_req_id as string;

    const pending = await postForm(`${front.issuer}/token`, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: authReqId }, basicAuth(front.clientId, front.clientSecret));
    expect(pending.json.error).toBe('authorization_pending');

    const page = await browser.newPage();
    await page.goto(`${front.issuer}/device`);
    await page.getByTestId('user-select').selectOption('alice');
    const card = page.getByTestId('request').filter({ hasText: 'Pay 42 EUR' });
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    expect(await card.textContent()).toContain('Front test client');
    expect(await card.textContent()).toContain('openid profile');
    await page.screenshot({ path: join(tmpdir(), 'openciba-simulator.png') });
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toBe('Approved.');
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(0);

    const tokens = await postForm(`${front.issuer}/token`, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: authReqId }, basicAuth(front.clientId, front.clientSecret));
    expect(tokens.status).toBe(200);
    expect(tokens.json.access_token).toBeTruthy();
    expect(tokens.json.id_token).toBeTruthy();
    await page.close();
  }, 60_000);

  it('denying on the page gives the client access_denied', async () => {
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', binding_message: 'Deny me' }, basicAuth(front.clientId, front.clientSecret));
    const page = await browser.newPage();
    await page.goto(`${front.issuer}/device`);
    await page.getByTestId('user-select').selectOption('alice');
    const card = page.getByTestId('request').filter({ hasText: 'Deny me' });
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    await card.getByRole('button', { name: 'Deny' }).click();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toBe('Denied.');
    const denied = await postForm(`${front.issuer}/token`, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: started.json.auth_req_id }, basicAuth(front.clientId, front.clientSecret));
    expect(denied.status).toBe(400);
    expect(denied.json.error).toBe('access_denied');
    await page.close();
  }, 60_000);
});
