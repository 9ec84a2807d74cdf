import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { screenshotPath } from './screenshots.js';

/** Helpers over one console tab: page navigation by the nav's links, sign-in and screenshots. */
export function consoleTab(page: Page) {
  return {
    async go(name: string) {
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }).click();
      await expect.poll(() => page.locator('main h1').textContent()).toBe(name);
    },
    async signIn(baseUrl: string, token: string) {
      await page.goto(`${baseUrl}/console/`);
      await page.getByLabel('Organization token or service access token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('main h1').textContent()).toBe('Dashboard');
    },
    shot: (name: string) => page.screenshot({ path: screenshotPath(`console/${name}.png`), fullPage: true }),
  };
}

/** The user approves, in the simulator's page, the request of hers whose card shows `text`. */
export async function approveInSimulator(browser: Browser, issuer: string, subject: string, text: string): Promise<void> {
  const simulator = await browser.newPage();
  await simulator.goto(`${issuer}/device`);
  await simulator.getByTestId('user-select').selectOption(subject);
  const card = simulator.getByTestId('request').filter({ hasText: text });
  await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect.poll(() => simulator.locator('#status').textContent(), { timeout: 10_000 }).toBe('Approved.');
  await simulator.close();
}
