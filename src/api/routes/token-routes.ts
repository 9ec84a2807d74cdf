import type { FastifyInstance } from 'fastify';
import { processTokenRequest } from '../../engine/tokens/token-endpoint.js';
import { schemaOf } from '../../wire/schemas.js';
import type { ApiOptions } from '../api-context.js';
import { actionRequestSchema, errorResponses, serviceIdParams } from '../http/action-schemas.js';
import { callerHook, serviceIdOf } from '../http/caller-hook.js';
import { splitFormArrays } from '../http/form-arrays.js';
import { sendResult } from '../http/send-result.js';

/** Authlete's token endpoint API (reference §7). */
export function tokenRoutes(app: FastifyInstance, options: ApiOptions): void {
  app.post('/api/:serviceId/auth/token', {
    onRequest: callerHook(options, 'service'),
    preValidation: async (req) => splitFormArrays(req, schemaOf('token_request')),
    schema: { tags: ['Token Endpoint'], summary: 'Process a token request', params: serviceIdParams, body: actionRequestSchema('token_request'), response: { 200: { $ref: 'token_response#' }, ...errorResponses } },
  }, async (req, reply) => sendResult(req, reply, await processTokenRequest(options.engine, serviceIdOf(req), (req.body ?? {}) as Record<string, never>)));
}
