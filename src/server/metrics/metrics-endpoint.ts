import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { identifyApiCaller, requireOrganization } from '../../engine/access/api-callers.js';
import { isApiError } from '../../engine/api-error.js';
import type { EngineContext } from '../../engine/context.js';
import { sendApiError } from '../../api/http/api-error-reply.js';
import { scrapeMetrics } from './registry.js';

/** `/metrics` on the main listener: the organization token only (a service token sees one service, metrics are the node's). */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry, engine: EngineContext, adminToken: string | undefined): void {
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const caller = await identifyApiCaller(engine, request.headers.authorization, adminToken);
    if (isApiError(caller)) {
      reply.header('www-authenticate', 'Bearer realm="openciba"');
      return sendApiError(request, reply, caller);
    }
    const denied = requireOrganization(caller);
    if (denied) return sendApiError(request, reply, denied);
    const { contentType, text } = await scrapeMetrics(registry);
    return reply.header('cache-control', 'no-store').type(contentType).send(text);
  });
}

/**
 * OPENCIBA_METRICS_PORT: a listener of its own that serves `GET /metrics` without a token (it is
 * meant for a network only the scraper reaches) and nothing else, so opening it to a monitoring
 * network opens no other route.
 */
export async function startMetricsListener(registry: Registry, host: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    const answer = (status: number, body: string, type = 'application/json') => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    if (path !== '/metrics') return answer(404, JSON.stringify({ error: 'not_found', error_description: 'This listener serves only GET /metrics.' }));
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, JSON.stringify({ error: 'invalid_request', error_description: 'Only GET is allowed here.' }));
    scrapeMetrics(registry).then(
      ({ contentType, text }) => answer(200, request.method === 'HEAD' ? '' : text, contentType),
      () => answer(500, JSON.stringify({ error: 'server_error', error_description: 'The metrics could not be collected.' })),
    );
  });
  // Scrapers keep connections alive; none may hold the process open at shutdown.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
