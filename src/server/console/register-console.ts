import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { consoleVendors, vendorModule } from './console-vendor.js';

/** The app's files: next to src/ and dist/ alike (both are two folders below the package root). */
const APP_ROOT = fileURLToPath(new URL('../../../console/', import.meta.url));

/**
 * No inline script or style anywhere, nothing from elsewhere, no framing. The token travels only
 * in an Authorization header set by the app, so there is no cookie to ride on (no CSRF).
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const YEAR_SECONDS = 365 * 24 * 3600;

function securityHeaders(reply: FastifyReply): void {
  reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');
}

/**
 * `/console`: the admin console, static files only. It calls the public `/api` and `/admin`
 * endpoints like any other client; this layer holds no rights of its own.
 */
export async function registerConsole(app: FastifyInstance): Promise<void> {
  const vendors = consoleVendors();
  const vendorJs = vendorModule(vendors);

  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      securityHeaders(reply);
      return payload;
    });

    scope.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 302));
    // The app changes with the server: the browser revalidates each time (ETag makes that cheap).
    scope.get('/console/vendor.js', { schema: { hide: true } }, async (_request, reply) =>
      reply.header('cache-control', 'no-cache').type('text/javascript; charset=utf-8').send(vendorJs));

    await scope.register(fastifyStatic, {
      root: APP_ROOT,
      prefix: '/console/',
      index: 'index.html',
      dotfiles: 'ignore',
      cacheControl: false,
      setHeaders: (response) => {
        response.setHeader('cache-control', 'no-cache');
      },
    });
    for (const vendor of vendors) {
      await scope.register(fastifyStatic, {
        root: vendor.root,
        prefix: `/console/vendor/${vendor.name}@${vendor.version}/`,
        decorateReply: false,
        index: false,
        dotfiles: 'ignore',
        cacheControl: false,
        setHeaders: (response) => {
          response.setHeader('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`);
        },
      });
    }
  });
}
