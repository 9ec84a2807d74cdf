import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi } from '../support/admin-api.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The audit, evidence, dashboard and keys pages read APIs other branches build (contracts A and
 * B). Until those are merged, this test answers exactly those paths in the browser with bodies
 * of the contracts' shape (everything else is the real server), so that the pages' reading of
 * the contracts is checked now. Once the APIs are merged, the real ones replace these answers.
 */
describe('console pages over contracts A and B (answers of the contract shape)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let serviceId: string;
  const rotations: unknown[] = [];
  const eventQueries: URLSearchParams[] = [];
  const pageErrors: string[] = [];
  const now = Date.now();
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();
  const events = [
    { id: '1', seq: 1, at: at(600), type: 'backchannel.requested', authReqId: 'req-1', clientId: '42', data: { clientId: '42', hintType: 'login_hint', scopes: ['openid'], bindingMessage: '<img src=x onerror="window.__xss=1">', deliveryMode: 'PING' } },
    { id: '2', seq: 2, at: at(598), type: 'user.identified', authReqId: 'req-1', subject: 'alice', data: { subject: 'alice' } },
    { id: '3', seq: 3, at: at(590), type: 'decision.recorded', authReqId: 'req-1', data: { outcome: 'approved', channel: 'simulator', decidedBy: 'alice' } },
    { id: '4', seq: 4, at: at(589), type: 'notification.attempt', authReqId: 'req-1', data: { attempt: 1, status: 503, outcome: 'retry' } },
    { id: '5', seq: 5, at: at(300), type: 'backchannel.requested', authReqId: 'req-2', clientId: '42', data: { clientId: '42', hintType: 'login_hint', scopes: ['openid'], deliveryMode: 'POLL' } },
    { id: '6', seq: 6, at: at(200), type: 'request.expired', authReqId: 'req-2', data: {} },
  ];
  let keys: Array<Record<string, string>> = [
    { kid: 'k-current', alg: 'ES256', use: 'sig', state: 'current', createdAt: at(86_400) },
    { kid: 'k-<b>old</b>', alg: 'ES256', use: 'sig', state: 'retiring', createdAt: at(172_800), retiresAt: at(-3600) },
  ];

  const json = (route: Route, body: unknown, status = 200) => route.fulfill({ status, contentType: 'application/json', headers: { 'cache-control': 'no-store' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    server = await startTestServer();
    serviceId = (await adminApi(server.baseUrl, server.adminToken).createService({ serviceName: 'Contract bank' })).serviceId;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.route(`**/admin/services/${serviceId}/events?*`, (route) => {
      expect(route.request().headers().authorization).toBe(`Bearer ${server.adminToken}`);
      const query = new URL(route.request().url()).searchParams;
      eventQueries.push(query);
      const types = query.get('type')?.split(',');
      return json(route, { events: events.filter((e) => !types || types.includes(e.type)).filter((e) => !query.get('authReqId') || e.authReqId === query.get('authReqId')) });
    });
    await page.route(`**/admin/services/${serviceId}/requests/*/evidence`, (route) => {
      const id = decodeURIComponent(new URL(route.request().url()).pathname.split('/').at(-2)!);
      if (id !== 'req-1') return json(route, { error: 'not_found' }, 404);
      return json(route, { authReqId: id, serviceId, events: events.filter((e) => e.authReqId === id), chain: { verified: true, fromSeq: 1, toSeq: 4, headHash: 'ab'.repeat(32) } });
    });
    await page.route(`**/admin/services/${serviceId}/keys`, (route) => json(route, { keys }));
    await page.route(`**/admin/services/${serviceId}/keys/rotate`, (route) => {
      rotations.push(route.request().postDataJSON());
      keys = [{ kid: 'k-next', alg: 'PS256', use: 'sig', state: 'next', createdAt: at(0), activatesAt: at(-600) }, ...keys];
      return json(route, { keys });
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('dashboard: figures and three charts from the last hour of events', async () => {
    await page.goto(`${server.baseUrl}/console/`);
    await page.getByLabel('Organization token or service access token').fill(server.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Dashboard');
    const figures = page.getByTestId('figures');
    await expect.poll(() => figures.count()).toBe(1);
    const text = (await figures.textContent())!;
    expect(text).toContain('Requests (1 h)2');
    expect(text).toContain('Approved50.0 %');
    expect(text).toContain('Expired50.0 %');
    expect(text).toContain('Time to decision p5010.0 s');
    expect(await page.locator('.chart canvas').count()).toBe(3);
    const query = eventQueries.at(-1)!;
    expect(query.get('type')).toBe('backchannel.requested,decision.recorded,request.expired,notification.attempt');
    expect(Math.abs(Date.parse(query.get('since')!) - (now - 3_600_000))).toBeLessThan(60_000);
    expect(query.get('limit')).toBe('1000');
  });

  it('audit: the trail with a type filter, markup shown as text', async () => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Audit' }).click();
    const rows = page.getByTestId('event-row');
    await expect.poll(() => rows.count()).toBe(6);
    expect(await rows.first().textContent()).toContain('<img src=x onerror="window.__xss=1">');
    expect(await page.locator('main img').count()).toBe(0);
    await page.getByLabel('Type').selectOption('decision.recorded');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('approved on simulator by alice');
  });

  it("evidence: one request's timeline, its chain, and the JSON download", async () => {
    await page.getByTestId('event-row').first().getByRole('link').click();
    await expect.poll(() => page.getByTestId('timeline').locator('li').count()).toBe(4);
    expect(await page.getByTestId('chain').textContent()).toContain('Hash chain verified (events 1–4)');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download JSON' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('evidence-req-1.json');
    const body = JSON.parse(await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8')));
    expect(body).toMatchObject({ authReqId: 'req-1', chain: { verified: true } });
    expect(body.events).toHaveLength(4);
    await page.goto(`${server.baseUrl}/console/#/audit/no-such-request`);
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('No such request in the audit trail.');
  });

  it('notifications: each attempt from the audit trail with its HTTP status', async () => {
    await page.goto(`${server.baseUrl}/console/#/notifications`);
    const rows = page.getByTestId('attempt-row');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().locator('td').allTextContents()).toEqual([expect.any(String), 'req-1…', '1', '503', 'retry']);
    expect(eventQueries.at(-1)!.get('type')).toBe('notification.attempt');
  });

  it('keys: states listed, rotate posts the chosen algorithm and shows the new key', async () => {
    await page.goto(`${server.baseUrl}/console/#/keys`);
    const rows = page.getByTestId('key-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(1).locator('code').textContent()).toBe('k-<b>old</b>');
    await page.getByLabel('Algorithm of the new key').selectOption('PS256');
    await page.getByRole('button', { name: 'Rotate key' }).click();
    await expect.poll(() => rows.count()).toBe(3);
    expect(rotations).toEqual([{ alg: 'PS256' }]);
    expect(await rows.first().getAttribute('data-state')).toBe('next');
    expect(pageErrors).toEqual([]);
  });
});
