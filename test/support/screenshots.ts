import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where browser tests write their screenshots. Every run takes them (a page that cannot render
 * fails there), but only `OPENCIBA_UPDATE_SCREENSHOTS=1 npx vitest run test/console test/op/authenticator-browser.test.ts`
 * writes the copies under docs/ that the README links: a plain `npm test` leaves the work tree as it was.
 */
export function screenshotPath(docsRelative: string): string {
  const root = process.env.OPENCIBA_UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../docs/', import.meta.url))
    : join(tmpdir(), 'openciba-screenshots');
  const path = join(root, docsRelative);
  mkdirSync(join(path, '..'), { recursive: true });
  return path;
}
