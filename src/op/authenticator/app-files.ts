import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The app's files: `authenticator-app/` at the package root (the same two levels up from src/ and dist/). */
const APP_DIR = fileURLToPath(new URL('../../../authenticator-app/', import.meta.url));

/** SimpleWebAuthn's browser bundle, served from our own origin (no third-party script). */
function browserBundle(): string {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  // …/browser/script/index.js → …/browser/dist/bundle/index.umd.min.js
  return join(dirname(dirname(entry)), 'dist', 'bundle', 'index.umd.min.js');
}

const FILES: Record<string, { path: () => string; type: string }> = {
  'index.html': { path: () => join(APP_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  'app.js': { path: () => join(APP_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  'render.js': { path: () => join(APP_DIR, 'render.js'), type: 'text/javascript; charset=utf-8' },
  'sw.js': { path: () => join(APP_DIR, 'sw.js'), type: 'text/javascript; charset=utf-8' },
  'app.css': { path: () => join(APP_DIR, 'app.css'), type: 'text/css; charset=utf-8' },
  'icon.svg': { path: () => join(APP_DIR, 'icon.svg'), type: 'image/svg+xml' },
  'manifest.webmanifest': { path: () => join(APP_DIR, 'manifest.webmanifest'), type: 'application/manifest+json' },
  'webauthn.js': { path: browserBundle, type: 'text/javascript; charset=utf-8' },
};

const cache = new Map<string, Buffer>();

/** One of the app's files by name, or undefined: only the names above are served. */
export function appFile(name: string): { body: Buffer; type: string } | undefined {
  const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
  if (!file) return undefined;
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(file.path());
    cache.set(name, body);
  }
  return { body, type: file.type };
}

/**
 * The app runs only its own scripts (the "what you see" guarantee rests on the origin's integrity).
 * Images may come from https origins: the client's registered logo (decision-view.ts), loaded with
 * no referrer; an image can show nothing but itself.
 */
export const APP_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
