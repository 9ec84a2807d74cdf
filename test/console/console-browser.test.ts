import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/authenticator.js';
import { approveInSimulator, consoleTab } from '../support/console-page.js';
import { screenshotPath } from '../support/screenshots.js';
import { basicAuth, postForm } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const HOSTILE_NAME = 'Shop <img src=x onerror="window.__xss=1"><b>bold</b>';
const HOSTILE_MESSAGE = '<script>window.__xss=2</script>Pay 42';

/**
 * The admin console in Debian's Chromium against a real server: every step goes through the
 * console's forms and pages, the CIBA client is a plain HTTP caller and the user the simulator page.
 */
describe('admin console in a real browser', () => {
  let server: TestServer;
  let receiver: Receiver;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const state: { serviceId?: string; clientId?: string; clientSecret?: string; authReqId?: string } = {};

  const go = (name: string) => consoleTab(page).go(name);
  const shot = (name: string) => consoleTab(page).shot(name);

  beforeAll(async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.close();
  });

  it('serves the console with the strict CSP, no framing, right types and cache headers', async () => {
    const index = await request(`${server.baseUrl}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('content-security-policy')).toBe(CSP);
    expect(index.headers.get('x-frame-options')).toBe('DENY');
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(index.text).not.toMatch(/\sstyle=|<style/);

    expect((await request(`${server.baseUrl}/console`)).headers.get('location')).toBe('/console/');
    const app = await request(`${server.baseUrl}/console/app/main.js`);
    expect(app.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(app.headers.get('cache-control')).toBe('no-cache');
    const css = await request(`${server.baseUrl}/console/app/console.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    const vendorJs = await request(`${server.baseUrl}/console/vendor.js`);
    expect(vendorJs.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(vendorJs.headers.get('cache-control')).toBe('no-cache');
    expect(vendorJs.headers.get('content-security-policy')).toBe(CSP);
    const versioned = [...vendorJs.text.matchAll(/'\.\/(vendor\/[^']+)'/g)].map((m) => m[1]!);
    expect(versioned.length).toBeGreaterThanOrEqual(4);
    for (const path of versioned) {
      const file = await request(`${server.baseUrl}/console/${path}`);
      expect(file.status, path).toBe(200);
      expect(file.headers.get('cache-control'), path).toBe('public, max-age=31536000, immutable');
      expect(file.headers.get('content-type'), path).toMatch(path.endsWith('.css') ? /^text\/css/ : /^(text|application)\/javascript/);
      expect(file.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
    // Nothing outside the console's folders, however the path is spelled.
    for (const path of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/app/..%2f..%2fpackage.json', '/console/vendor/preact@0.0.0/preact.mjs', '/console/vendor/preact@11.2.0/../package.json', '/console/.git/config']) {
      const answer = await request(`${server.baseUrl}${path}`);
      expect([400, 403, 404], path).toContain(answer.status);
      expect(answer.text, path).not.toContain('"dependencies"');
    }
  });

  it('refuses a wrong token, then signs in with the organization token', async () => {
    await page.goto(`${server.baseUrl}/console/`);
    await page.getByLabel('Organization token or service access token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('does not know this token');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await shot('sign-in');
    await page.getByLabel('Organization token or service access token').fill(server.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Dashboard');
    expect(await page.evaluate(() => sessionStorage.getItem('openciba.console.token'))).toBe(server.adminToken);
    expect((await page.context().cookies()).length).toBe(0);
  });

  it('creates a service through the form, with the API message at the field for invalid input', async () => {
    await go('Services');
    await page.getByRole('button', { name: 'New service' }).click();
    const form = page.locator('#service-create');
    await form.getByLabel('Service name').fill('Console bank');
    await form.getByLabel('Polling interval (seconds)').fill('-5');
    await form.getByRole('button', { name: 'Create service' }).click();
    const error = form.getByTestId('error-backchannelPollingInterval');
    await expect.poll(() => error.count()).toBe(1);
    expect(await error.textContent()).toMatch(/backchannelPollingInterval/);
    expect(await form.getByLabel('Polling interval (seconds)').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('service-create-backchannelPollingInterval');
    await form.getByLabel('Polling interval (seconds)').fill('1');
    await form.getByRole('button', { name: 'Create service' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/Service \d+ created/);
    state.serviceId = /Service (\d+) created/.exec((await page.getByRole('status').first().textContent())!)![1];
    expect(await page.locator('#service-select').inputValue()).toBe(state.serviceId);
    await expect.poll(() => page.locator('#service-edit').count()).toBe(1);

    // Editing: a refused value is named at its field; a good one is saved and read back.
    const edit = page.locator('#service-edit');
    await edit.getByLabel('auth_req_id lifetime (seconds)').fill('soon');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => edit.getByTestId('error-backchannelAuthReqIdDuration').count()).toBe(1);
    await edit.getByLabel('auth_req_id lifetime (seconds)').fill('300');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Service settings saved.' }).count()).toBe(1);
    const saved = await request(`${server.baseUrl}/api/${state.serviceId}/service/get`, { headers: bearer(server.adminToken) });
    expect(saved.json).toMatchObject({ serviceName: 'Console bank', backchannelAuthReqIdDuration: 300, backchannelPollingInterval: 1 });
    const front = page.locator('#front-edit');
    await front.getByLabel('Binding message maximum length').fill('5000');
    await front.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => front.getByTestId('error-bindingMessageMaxLength').count()).toBe(1);
    await front.getByLabel('Binding message maximum length').fill('128');
    await front.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Front settings saved.' }).count()).toBe(1);
    expect((await request(`${server.baseUrl}/admin/services/${state.serviceId}/front`, { headers: bearer(server.adminToken) })).json.bindingMessageMaxLength).toBe(128);
    await shot('services');
  });

  it('creates a ping client through the form: the missing endpoint is named at its field, the secret is shown once, markup in its name is text', async () => {
    await go('Clients');
    await page.getByRole('button', { name: 'New client' }).click();
    const form = page.locator('#client-create');
    await form.getByLabel('Client name').fill(HOSTILE_NAME);
    await form.getByLabel('Token delivery mode').selectOption('PING');
    await form.getByRole('button', { name: 'Create client' }).click();
    const error = form.getByTestId('error-bcNotificationEndpoint');
    await expect.poll(() => error.count()).toBe(1);
    expect(await error.textContent()).toContain("'bcNotificationEndpoint'");
    await form.getByLabel('Client notification endpoint').fill(receiver.url('/ping'));
    await form.getByRole('button', { name: 'Create client' }).click();
    const secret = page.getByTestId('client-secret');
    await expect.poll(() => secret.count()).toBe(1);
    state.clientSecret = (await secret.locator('code').textContent())!;
    expect(state.clientSecret.length).toBeGreaterThan(20);
    const row = page.getByTestId('client-row').first();
    await expect.poll(() => row.count()).toBe(1);
    state.clientId = (await row.locator('td').first().textContent())!;
    expect(await row.locator('td').nth(1).textContent()).toBe(HOSTILE_NAME);
    expect(await row.locator('img, b').count()).toBe(0);
    await shot('clients');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.getByTestId('client-secret').count()).toBe(0);
    // Once dismissed it is not shown again: not in the list, not in the edit form.
    await row.getByRole('button', { name: 'Edit' }).click();
    expect(await page.locator('main').textContent()).not.toContain(state.clientSecret);
    // The page says how to replace the secret (it once said it could not be, before the API had /client/secret/refresh).
    expect(await page.getByTestId('secret-rotation').textContent()).toContain('Rotate secret');
    const edit = page.locator('#client-edit');
    expect(await edit.getByLabel('Client notification endpoint').inputValue()).toBe(receiver.url('/ping'));
    await edit.getByLabel('Token delivery mode').selectOption('PUSH');
    await edit.getByLabel('Client notification endpoint').fill('');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => edit.getByTestId('error-bcNotificationEndpoint').count()).toBe(1);
    await edit.getByLabel('Token delivery mode').selectOption('PING');
    await edit.getByLabel('Client notification endpoint').fill(receiver.url('/ping'));
    await edit.getByLabel('DPoP required (RFC 9449)').uncheck();
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: `Client ${state.clientId} saved.` }).count()).toBe(1);
    const saved = await request(`${server.baseUrl}/api/${state.serviceId}/client/get/${state.clientId}`, { headers: bearer(server.adminToken) });
    expect(saved.json).toMatchObject({ clientName: HOSTILE_NAME, bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/ping'), clientSecret: state.clientSecret });
  });

  it('rotates the secret after a confirmation: the new one is shown once, the old one stops working', async () => {
    const issuer = (await request(`${server.baseUrl}/api/${state.serviceId}/service/get`, { headers: bearer(server.adminToken) })).json.issuer as string;
    const tokenWith = async (secret: string) => {
      const answer = await postForm(`${issuer}/token`, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: 'none' }, basicAuth(state.clientId!, secret));
      return [answer.status, answer.json?.error];
    };
    const old = state.clientSecret!;
    expect(await tokenWith(old)).toEqual([400, 'invalid_grant']);
    await go('Clients');
    const rotate = page.getByRole('button', { name: `Rotate the secret of client ${state.clientId}` });
    // Declined: nothing happens.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await rotate.click();
    expect(await page.getByTestId('client-secret').count()).toBe(0);
    expect(await tokenWith(old)).toEqual([400, 'invalid_grant']);

    let question = '';
    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await rotate.click();
    const secret = page.getByTestId('client-secret');
    await expect.poll(() => secret.count()).toBe(1);
    expect(question).toContain('stops working at once');
    const fresh = (await secret.locator('code').textContent())!;
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(fresh).not.toBe(old);
    expect(await page.getByRole('status').filter({ hasText: `The secret of client ${state.clientId} was rotated.` }).count()).toBe(1);
    expect(await tokenWith(old)).toEqual([401, 'invalid_client']);
    expect(await tokenWith(fresh)).toEqual([400, 'invalid_grant']);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.locator('main').textContent()).not.toContain(fresh);
    // The trail names the change, never the value.
    const trail = await request(`${server.baseUrl}/admin/services/${state.serviceId}/events?type=admin.changed`, { headers: bearer(server.adminToken) });
    expect(trail.json.events.at(-1).data).toMatchObject({ resource: 'client', action: 'rotate', target: state.clientId, changes: ['clientSecret'] });
    expect(trail.text).not.toContain(fresh);
    state.clientSecret = fresh;
  });

  it('adds, locks and unlocks a user in the directory', async () => {
    await go('Users');
    await page.getByRole('button', { name: 'Add user' }).click();
    const form = page.locator('#user-create');
    await form.getByLabel('Subject (user id)').fill('alice');
    await form.getByLabel('Name').fill('Alice <i>Admin</i>');
    await form.getByRole('button', { name: 'Add user' }).click();
    const row = page.getByTestId('user-row').filter({ hasText: 'alice' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('i').count()).toBe(0);
    await row.getByRole('button', { name: 'Lock' }).click();
    await expect.poll(() => row.locator('td').nth(3).textContent()).toBe('locked');
    await row.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => row.locator('td').nth(3).textContent()).toBe('active');
    const user = await request(`${server.baseUrl}/admin/services/${state.serviceId}/users/alice`, { headers: bearer(server.adminToken) });
    expect(user.json).toMatchObject({ subject: 'alice', name: 'Alice <i>Admin</i>', status: 'active' });

    await page.getByRole('button', { name: 'Add user' }).click();
    await page.locator('#user-create').getByLabel('Subject (user id)').fill('mallory');
    await page.locator('#user-create').getByRole('button', { name: 'Add user' }).click();
    const mallory = page.getByTestId('user-row').filter({ hasText: 'mallory' });
    await expect.poll(() => mallory.count()).toBe(1);
    page.once('dialog', (dialog) => void dialog.accept());
    await mallory.getByRole('button', { name: 'Delete mallory' }).click();
    await expect.poll(() => mallory.count()).toBe(0);
    expect((await request(`${server.baseUrl}/admin/services/${state.serviceId}/users/mallory`, { headers: bearer(server.adminToken) })).status).toBe(404);
  });

  it('shows a started flow under live requests, then its approval in the simulator, without a reload', async () => {
    await go('Live requests');
    const issuer = `${server.baseUrl}/s/${state.serviceId}`;
    const started = await postForm(`${issuer}/backchannel/authentication`,
      { scope: 'openid profile', login_hint: 'alice', binding_message: HOSTILE_MESSAGE, client_notification_token: 'console-notify-1' },
      basicAuth(state.clientId!, state.clientSecret!));
    expect(started.status).toBe(200);
    state.authReqId = started.json.auth_req_id;
    const row = page.getByTestId('request-row');
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.getAttribute('data-state')).toBe('pending');
    expect(await row.getByTestId('binding-message').textContent()).toBe(HOSTILE_MESSAGE);
    expect(await row.locator('td').nth(1).textContent()).toContain(HOSTILE_NAME);
    expect(await row.locator('script, img').count()).toBe(0);
    await shot('live-requests');

    await approveInSimulator(browser, issuer, 'alice', 'Pay 42');

    await expect.poll(() => row.getAttribute('data-state'), { timeout: 10_000 }).toBe('approved');
    await page.getByLabel('State').selectOption('pending');
    await expect.poll(() => row.count()).toBe(0);
    await page.getByLabel('State').selectOption('approved');
    await expect.poll(() => row.count()).toBe(1);
  }, 60_000);

  it('finds the ping notification and its attempt', async () => {
    await expect.poll(() => receiver.requests.length, { timeout: 15_000 }).toBeGreaterThan(0);
    await go('Notifications');
    const row = page.getByTestId('notification-row');
    await expect.poll(async () => (await row.count()) === 1 && (await row.getAttribute('data-status')), { timeout: 15_000 }).toBe('delivered');
    expect(await row.getByTestId('attempts').textContent()).toBe('1');
    expect(await row.locator('td').nth(1).textContent()).toBe(receiver.url('/ping'));
  }, 30_000);

  it('blocks inline script and inline style (CSP)', async () => {
    const outcome = await page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const script = document.createElement('script');
      script.textContent = 'window.__inline = 1';
      document.body.append(script);
      document.body.insertAdjacentHTML('beforeend', '<img src="x" onerror="window.__inline = 2"><div id="styled" style="color: rgb(1, 2, 3)"></div>');
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { inline: (window as unknown as { __inline?: number }).__inline, xss: (window as unknown as { __xss?: number }).__xss, violations,
        color: getComputedStyle(document.getElementById('styled')!).color };
    });
    expect(outcome.inline).toBeUndefined();
    expect(outcome.xss).toBeUndefined();
    expect(outcome.violations).toEqual(expect.arrayContaining([expect.stringMatching(/^script-src/), expect.stringMatching(/^style-src/)]));
    expect(outcome.color).not.toBe('rgb(1, 2, 3)');
  });

  it('a service token sees only its service; signing out forgets the token', async () => {
    const other = await request(`${server.baseUrl}/api/service/create`, { method: 'POST', headers: { ...bearer(server.adminToken), 'content-type': 'application/json' }, body: JSON.stringify({ serviceName: 'Other bank' }) });
    const token = (await request(`${server.baseUrl}/admin/services/${state.serviceId}/tokens`, { method: 'POST', headers: { ...bearer(server.adminToken), 'content-type': 'application/json' }, body: '{}' })).json.token as string;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await page.getByLabel('Organization token or service access token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#service-select option').allTextContents()).toEqual([`Console bank (${state.serviceId})`]);
    await go('Services');
    expect(await page.getByTestId('services').textContent()).not.toContain('Other bank');
    // Another service's pages are refused by the API, whatever the tab asks for.
    await page.evaluate((id) => sessionStorage.setItem('openciba.console.service', id), String(other.json.apiKey));
    await page.reload();
    // The reloaded page fills the select once its service list arrives: wait for it, then the same check.
    await expect.poll(() => page.locator('#service-select').inputValue()).toBe(state.serviceId);

    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.reload();
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
  });

  it('fits a 375-pixel-wide screen and is usable with the keyboard alone', async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await phone.goto(`${server.baseUrl}/console/`);
    await phone.keyboard.press('Tab');
    expect(await phone.evaluate(() => document.activeElement?.id)).toBe('token');
    await phone.keyboard.type(server.adminToken);
    await phone.keyboard.press('Enter');
    await expect.poll(() => phone.locator('main h1').textContent()).toBe('Dashboard');
    await phone.goto(`${server.baseUrl}/console/#/requests`);
    await expect.poll(() => phone.getByTestId('request-row').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const outline = await phone.evaluate(() => {
      const link = document.querySelector('nav a') as HTMLElement;
      link.focus();
      return getComputedStyle(link).outlineStyle;
    });
    expect(outline).toBe('solid');
    await phone.screenshot({ path: screenshotPath('console/phone-live-requests.png'), fullPage: true });
    await phone.close();
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
