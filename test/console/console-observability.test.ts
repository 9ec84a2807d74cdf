import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, pageWithPasskey } from '../support/authenticator.js';
import { ManualClock } from '../support/clock.js';
import { approveInSimulator, consoleTab } from '../support/console-page.js';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

const HOSTILE_MESSAGE = '<img src=x onerror="window.__xss=1">Pay 42';

/**
 * The audit, evidence, dashboard, notifications, keys and users pages in Chromium against the
 * real server and real flows: every figure the pages show comes from the server's own APIs
 * (contracts A, B, C and the authenticator's admin routes), nothing is answered by the test.
 */
describe.each(DIALECTS)('console pages over the real audit, key and device APIs (%s)', (dialect) => {
  let server: TestServer;
  let front: FrontFixture;
  let receiver: Receiver;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  // The clock stands at real time, so that the browser's "last hour" holds the events; it is
  // moved only past a notification's backoff.
  const clock = new ManualClock(Date.now());
  let pings = 0;
  const flows: { approved?: string; denied?: string } = {};

  const go = (name: string) => consoleTab(page).go(name);
  // The README's screenshots are the SQLite run's (one set, not one per dialect).
  const shot = async (name: string) => {
    if (dialect === DIALECTS[0]) await consoleTab(page).shot(name);
  };
  const start = async (form: Record<string, string>) => {
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid profile', login_hint: 'alice', client_notification_token: 'observability-1', ...form },
      basicAuth(front.clientId, front.clientSecret));
    expect(started.status, started.text).toBe(200);
    return started.json.auth_req_id as string;
  };

  beforeAll(async () => {
    // The first ping is refused (503) so that the notification has a retry and a delivery.
    receiver = await startReceiver((_r, res) => res.writeHead(pings++ === 0 ? 503 : 204).end());
    server = await startTestServer({ dialect, publicHost: 'localhost', clock, background: false });
    front = await createFront(server, { clientName: 'Shop <b>bold</b>', bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/ping') }, { serviceName: 'Observed bank' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.close();
  });

  it('runs two real flows: one approved in the simulator page, one denied, each pinged', async () => {
    // Two real flows: one approved in the simulator's page, one denied through its automated URL.
    flows.approved = await start({ binding_message: HOSTILE_MESSAGE });
    await approveInSimulator(browser, front.issuer, 'alice', 'Pay 42');
    flows.denied = await start({ binding_message: 'Transfer 7' });
    expect((await fetch(`${front.issuer}/device/api/ciba/${flows.denied}/deny`, { method: 'POST' })).status).toBeLessThan(300);
    // The pings: the first of each refused once then sent again after its backoff.
    await server.runtime.front.dispatcher.runOnce();
    clock.advance(2_000);
    await server.runtime.front.dispatcher.runOnce();
    expect(receiver.requests.length).toBe(3);
  }, 60_000);

  it('audit: the real flow\'s events appear, filters narrow them, markup is text', async () => {
    await consoleTab(page).signIn(server.baseUrl, server.adminToken);
    await go('Audit');
    const rows = page.getByTestId('event-row');
    // The sink stores events in batches: apply again until the flow's last event is in.
    await expect.poll(async () => {
      await page.getByRole('button', { name: 'Apply' }).click();
      return page.getByTestId('event-row').filter({ hasText: 'decision.recorded' }).count();
    }, { timeout: 10_000 }).toBe(2);
    const types = await rows.locator('td:nth-child(3)').allTextContents();
    expect(types).toEqual(expect.arrayContaining(['backchannel.requested', 'user.identified', 'request.issued', 'decision.recorded', 'notification.attempt']));
    expect(await page.getByTestId('events').textContent()).toContain(HOSTILE_MESSAGE);
    expect(await page.locator('main img').count()).toBe(0);

    await page.getByLabel('Type').selectOption('decision.recorded');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows.locator('td:nth-child(3)').allTextContents()).toEqual(['decision.recorded', 'decision.recorded']);
    expect(await rows.allTextContents()).toEqual([expect.stringContaining('approved on'), expect.stringContaining('denied on')]);

    await page.getByLabel('Type').selectOption('');
    await page.getByLabel('auth_req_id').fill(flows.denied!);
    await page.getByRole('button', { name: 'Apply' }).click();
    // The events that carry this auth_req_id (those before /issue are tied to it by the evidence).
    const deniedRequest = `${flows.denied!.slice(0, 12)}…`;
    await expect.poll(async () => {
      const requests = await rows.locator('td:nth-child(4)').allTextContents();
      return requests.length >= 4 && requests.every((r) => r === deniedRequest);
    }).toBe(true);
    expect(await rows.filter({ hasText: 'denied on' }).count()).toBe(1);
    expect(await page.getByTestId('events').textContent()).not.toContain('approved on');

    // By client: the flows' events only, not the administration's.
    await page.getByLabel('auth_req_id').fill('');
    await page.getByLabel('Client ID').fill(front.clientId);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(async () => {
      const clients = await rows.locator('td:nth-child(5)').allTextContents();
      return clients.length > 4 && clients.every((c) => c === front.clientId);
    }).toBe(true);
    expect(await rows.filter({ hasText: 'approved on' }).count()).toBe(1);
    expect(await page.getByTestId('events').textContent()).not.toContain('admin.changed');
    await page.getByLabel('Client ID').fill('');
    // By time (the browser's zone is the machine's): a window before the flows holds nothing.
    await page.getByLabel('Until').fill('2001-01-01T00:00');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows.count()).toBe(0);
    expect(await page.getByTestId('events').textContent()).toContain('Nothing yet.');
    await page.getByLabel('Until').fill('');
    await page.getByLabel('Since').fill('2001-01-01T00:00');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows.filter({ hasText: 'decision.recorded' }).count()).toBe(2);
    await page.getByLabel('Since').fill('');

    // A filter the API refuses is shown in its words.
    await page.getByLabel('auth_req_id').fill('has space');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe("'authReqId' is malformed.");
    await page.getByLabel('auth_req_id').fill('');
    await page.getByLabel('Client ID').fill('9'.repeat(5000));
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe("'clientId' is malformed.");
    await page.getByLabel('Client ID').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
    await expect.poll(() => rows.filter({ hasText: 'decision.recorded' }).count()).toBe(2);
    await shot('audit');

    // Paging follows the API's cursor: every event once, in the API's order.
    const all = (await front.admin('GET', `/admin/services/${front.serviceId}/events?limit=1000`)).events as Array<{ type: string }>;
    expect(all.length).toBeGreaterThan(10);
    expect(all.length).toBeLessThanOrEqual(20);
    await page.getByLabel('Per page').selectOption('10');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows.count()).toBe(10);
    expect(await page.getByTestId('events-range').textContent()).toBe('Events 1–10, more after these.');
    const firstPage = await rows.locator('td:nth-child(3)').allTextContents();
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => page.getByTestId('events-range').textContent()).toBe(`Events 11–${all.length}.`);
    const secondPage = await rows.locator('td:nth-child(3)').allTextContents();
    expect([...firstPage, ...secondPage]).toEqual(all.map((e) => e.type));
    expect(await page.getByRole('button', { name: 'Next page' }).count()).toBe(0);
    await page.getByRole('button', { name: 'First page' }).click();
    await expect.poll(() => page.getByTestId('events-range').textContent()).toBe('Events 1–10, more after these.');
  });

  it("evidence: the approved flow's timeline, its verified chain and the JSON download", async () => {
    await page.getByTestId('event-row').filter({ hasText: 'approved on' }).getByRole('link').click();
    const timeline = page.getByTestId('timeline').locator('li');
    await expect.poll(() => timeline.count()).toBeGreaterThanOrEqual(5);
    const items = await timeline.allTextContents();
    expect(items[0]).toContain('backchannel.requested');
    expect(items.join('\n')).toContain(HOSTILE_MESSAGE);
    expect(items.some((t) => t.includes('decision.recorded') && t.includes('approved'))).toBe(true);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.getByTestId('chain').textContent()).toMatch(/^Hash chain verified \(events \d+–\d+\), head [0-9a-f]{16}…$/);
    await shot('evidence');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download JSON' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`evidence-${flows.approved}.json`);
    const body = JSON.parse(await readFile((await file.path())!, 'utf8'));
    const api = await front.admin('GET', `/admin/services/${front.serviceId}/requests/${encodeURIComponent(flows.approved!)}/evidence`);
    expect(body).toEqual(api);
    expect(body.chain.verified).toBe(true);
    expect(body.events).toHaveLength(items.length);

    await page.goto(`${server.baseUrl}/console/#/audit/no-such-request`);
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('No such request in the audit trail.');
  });

  it('dashboard: flows counted and the approval and denial rates, from the real events', async () => {
    await go('Dashboard');
    const figures = page.getByTestId('figures');
    await expect.poll(() => figures.count()).toBe(1);
    const text = (await figures.textContent())!;
    expect(text).toContain('Requests (1 h)2');
    expect(text).toContain('Approved50.0 %');
    expect(text).toContain('Denied50.0 %');
    expect(text).toContain('Expired0.0 %');
    expect(text).toMatch(/Time to decision p50\d+\.\d s/);
    expect(await page.locator('.chart canvas').count()).toBe(3);
    await shot('dashboard');
  });

  it('notifications: each ping with its attempts, the refused one with its HTTP status', async () => {
    await go('Notifications');
    const rows = page.getByTestId('notification-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')))).toEqual(['delivered', 'delivered']);
    expect(await rows.getByTestId('attempts').allTextContents()).toEqual(expect.arrayContaining(['2', '1']));
    const attempts = page.getByTestId('attempt-row');
    await expect.poll(() => attempts.count()).toBe(3);
    const cells = await attempts.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(2).map((td) => td.textContent)));
    expect(cells).toEqual(expect.arrayContaining([['1', '503', 'retry'], ['2', '204', 'delivered'], ['1', '204', 'delivered']]));
    await shot('notifications');
  });

  it('keys: the real keys with their states; rotate adds next keys; a second rotate shows the 409 message', async () => {
    await go('Keys');
    const rows = page.getByTestId('key-row');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(1);
    const listed = (await front.admin('GET', `/admin/services/${front.serviceId}/keys`)).keys as Array<{ kid: string; state: string }>;
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-state')))).toEqual(listed.map((k) => k.state));
    expect(await rows.locator('code').allTextContents()).toEqual(listed.map((k) => k.kid));
    expect(listed.map((k) => k.state)).toContain('current');

    // A rotation publishes one new key per algorithm the service signs with.
    await page.getByRole('button', { name: 'Rotate key' }).click();
    // New RSA keys take a while to generate on a busy machine.
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(2 * listed.length);
    const states = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-state')));
    expect(states.filter((s) => s === 'next')).toHaveLength(listed.length);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Rotated:' }).count()).toBe(1);
    const after = (await front.admin('GET', `/admin/services/${front.serviceId}/keys`)).keys as Array<{ state: string }>;
    expect(after.map((k) => k.state)).toEqual(states);
    await shot('keys');

    await page.getByRole('button', { name: 'Rotate key' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/^A new \S+ key is already waiting to sign from .+; rotate again after that\.$/);
    expect(await rows.count()).toBe(2 * listed.length);
  }, 60_000);

  it('users: an enrolment link shown once, the enrolled device listed, then revoked', async () => {
    await go('Users');
    const alice = page.getByTestId('user-row').filter({ hasText: 'alice' });
    await alice.getByRole('button', { name: 'Devices of alice' }).click();
    const panel = page.locator('#user-devices');
    await expect.poll(() => panel.getByText('No enrolled device.').count()).toBe(1);
    await panel.getByRole('button', { name: 'Issue an enrolment link' }).click();
    const link = panel.getByTestId('enrolment-link');
    await expect.poll(() => link.count()).toBe(1);
    const url = (await link.locator('code').textContent())!;
    expect(url).toMatch(new RegExp(`^${front.issuer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/authenticator/#enrol=[A-Za-z0-9_-]{20,}$`));

    // The phone opens the link and enrols a passkey in the authenticator app.
    const phone = await pageWithPasskey(browser, new URL(front.issuer).origin);
    await phone.page.goto(url);
    await phone.page.getByTestId('enrol').click();
    await expect.poll(() => phone.page.getByTestId('status').textContent(), { timeout: 15_000 }).toContain('Enrolled.');
    await phone.context.close();

    await panel.getByRole('button', { name: 'I have sent it' }).click();
    expect(await panel.getByTestId('enrolment-link').count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain(url);
    const devices = panel.getByTestId('device-row');
    await expect.poll(() => devices.count()).toBe(1);
    const [device] = (await front.admin('GET', `/admin/services/${front.serviceId}/users/alice/devices`)).devices as Array<{ id: string; label: string }>;
    expect(await devices.first().locator('td').first().textContent()).toBe(device!.label);
    await shot('users');

    page.once('dialog', (dialog) => void dialog.accept());
    await devices.first().getByRole('button', { name: `Revoke ${device!.label}` }).click();
    await expect.poll(() => devices.count()).toBe(0);
    expect((await front.admin('GET', `/admin/services/${front.serviceId}/users/alice/devices`)).devices).toEqual([]);

    // A subject holding markup and URL syntax: shown as text, sent path-encoded.
    const hostile = 'e<i>v</i>e/../x?y#z %2F';
    await front.admin('PUT', `/admin/services/${front.serviceId}/users/${encodeURIComponent(hostile)}`, { name: 'Eve' });
    await page.reload();
    await page.getByTestId('user-row').filter({ hasText: hostile }).getByRole('button', { name: `Devices of ${hostile}` }).click();
    await expect.poll(() => panel.locator('h2').textContent()).toBe(`Authenticator devices of ${hostile}`);
    await expect.poll(() => panel.getByText('No enrolled device.').count()).toBe(1);
    expect(await page.locator('main i').count()).toBe(0);
    await panel.getByRole('button', { name: 'Issue an enrolment link' }).click();
    await expect.poll(() => panel.getByTestId('enrolment-link').count()).toBe(1);
    await panel.getByRole('button', { name: 'I have sent it' }).click();

    // A locked user cannot enrol: the API's message is shown.
    await page.getByTestId('user-row').filter({ hasText: 'carol' }).getByRole('button', { name: 'Devices of carol' }).click();
    await panel.getByRole('button', { name: 'Issue an enrolment link' }).click();
    await expect.poll(() => panel.getByRole('alert').textContent()).toMatch(/^A locked user cannot enrol a device\. \(A\d+\)$/);
  }, 60_000);

  it('live requests show the binding message as text', async () => {
    await go('Live requests');
    const row = page.getByTestId('request-row').filter({ hasText: 'Pay 42' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.getByTestId('binding-message').textContent()).toBe(HOSTILE_MESSAGE);
    expect(await row.locator('td').nth(1).textContent()).toContain('Shop <b>bold</b>');
    expect(await page.locator('main img, main b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });
});
