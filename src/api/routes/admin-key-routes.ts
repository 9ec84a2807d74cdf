import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isKeyRefusal, listServiceKeys, rotateServiceKeys, type KeyRefusal } from '../../engine/keys/key-rotation.js';
import { errorDescription } from '../../lib/error-description.js';
import type { ApiOptions } from '../api-context.js';
import { callerHook, serviceIdOf } from '../http/caller-hook.js';
import { apiErrorFor } from '../http/error-handler.js';

const tags = ['OpenCIBA Administration'];
const params = { type: 'object', properties: { serviceId: { type: 'string', pattern: '^[0-9]{1,15}$' } }, required: ['serviceId'] };
// The alg is checked by the engine, so that a wrong one is answered by name (maxLength bounds the echo).
const rotateBody = { type: ['object', 'null'], properties: { alg: { type: 'string', minLength: 1, maxLength: 64 } }, additionalProperties: false };

function sendError(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .type('application/json')
    .send({ error, error_description: errorDescription(description) });
}

function send(reply: FastifyReply, result: object | KeyRefusal, body: (value: never) => object = (v) => v): FastifyReply {
  if (isKeyRefusal(result)) return sendError(reply, result.status, result.error, result.description);
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(body(result as never));
}

/**
 * Signing keys (`/admin/services/{id}/keys`): their states, and rotation. These answer errors as
 * OAuth-style JSON (`error`, `error_description`) like the other operator routes of the console;
 * authentication failures keep the API's standard body, as everywhere under /admin.
 */
export function adminKeyRoutes(app: FastifyInstance, options: ApiOptions): void {
  const ctx = options.engine;
  void app.register(async (scope) => {
    scope.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const mapped = apiErrorFor(error, options.bodyLimit);
      if (mapped.status >= 500) request.log.error({ err: error }, 'unexpected error');
      return sendError(reply, mapped.status, mapped.status >= 500 ? 'server_error' : 'invalid_request', mapped.text);
    });

    scope.get('/admin/services/:serviceId/keys', {
      onRequest: callerHook(options, 'service'),
      schema: { tags, summary: "The service's signing keys and their states (never private material)", params },
    }, async (request, reply) => send(reply, await listServiceKeys(ctx, serviceIdOf(request))));

    scope.post('/admin/services/:serviceId/keys/rotate', {
      onRequest: callerHook(options, 'service'),
      schema: { tags, summary: 'Rotate signing keys: publish a new key now, sign with it after the pre-publication time', params, body: rotateBody },
    }, async (request, reply) => {
      const { alg } = (request.body ?? {}) as { alg?: string };
      const rotated = await rotateServiceKeys(ctx, serviceIdOf(request), alg !== undefined ? { alg } : {});
      return send(reply, rotated, ({ keys }: { keys: unknown }) => ({ keys }));
    });
  });
}
