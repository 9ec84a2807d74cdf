import type { FastifyInstance } from 'fastify';
import { createServiceAccessToken, revokeApiToken } from '../../engine/access/api-callers.js';
import type { ApiOptions } from '../api-context.js';
import { callerHook, serviceIdOf } from '../http/caller-hook.js';
import { sendResult } from '../http/send-result.js';

const errors = { '4xx': { $ref: 'result#' }, '5xx': { $ref: 'result#' } };

/** OpenCIBA's own management additions, outside Authlete's namespace. */
export function adminRoutes(app: FastifyInstance, options: ApiOptions): void {
  const ctx = options.engine;

  app.post('/admin/services/:serviceId/tokens', {
    onRequest: callerHook(options, 'organization'),
    schema: {
      tags: ['OpenCIBA Administration'],
      summary: 'Mint a service access token (shown once)',
      params: { type: 'object', properties: { serviceId: { type: 'string', pattern: '^[0-9]{1,15}$' } }, required: ['serviceId'] },
      body: { type: ['object', 'null'], properties: { description: { type: 'string', maxLength: 256 } } },
      response: { 200: { type: 'object', properties: { token: { type: 'string' } }, required: ['token'] }, ...errors },
    },
  }, async (request, reply) => {
    const description = (request.body as { description?: string } | null)?.description;
    const token = await createServiceAccessToken(ctx, serviceIdOf(request), description);
    return sendResult(request, reply, typeof token === 'string' ? { token } : token);
  });

  app.delete('/admin/services/:serviceId/tokens', {
    onRequest: callerHook(options, 'organization'),
    schema: {
      tags: ['OpenCIBA Administration'],
      summary: "Revoke one of a service's access tokens (given its value)",
      params: { type: 'object', properties: { serviceId: { type: 'string', pattern: '^[0-9]{1,15}$' } }, required: ['serviceId'] },
      body: { type: 'object', properties: { token: { type: 'string', minLength: 1, maxLength: 512 } }, required: ['token'] },
      response: { 204: { type: 'null' }, ...errors },
    },
  }, async (request, reply) => sendResult(request, reply, await revokeApiToken(ctx, (request.body as { token: string }).token, serviceIdOf(request))));
}
