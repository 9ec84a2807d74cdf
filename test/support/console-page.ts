import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Where the console's tests write the screenshots the README links. */
export const CONSOLE_SHOTS = fileURLToPath(new URL('../../docs/console/', import.meta.url));

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
    shot: (name: string) => page.screenshot({ path: join(CONSOLE_SHOTS, `${name}.png`), fullPage: true }),
  };
}
