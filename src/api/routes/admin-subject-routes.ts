import type { FastifyInstance } from 'fastify';
import type { ApiOptions } from '../api-context.js';
import { callerHook, serviceIdOf } from '../http/caller-hook.js';
import { sendResult } from '../http/send-result.js';
import { PRINTABLE } from './admin-user-routes.js';

const errors = { '4xx': { $ref: 'result#' }, '5xx': { $ref: 'result#' } };
const body = {
  type: 'object',
  properties: { subject: { type: 'string', minLength: 1, maxLength: 255, pattern: PRINTABLE } },
  required: ['subject'],
  additionalProperties: false,
};
const answer = { type: 'object', properties: { revokedTokens: { type: 'integer' }, deniedRequests: { type: 'integer' } } };

/**
 * `POST /admin/services/{serviceId}/subjects/revoke`, an OpenCIBA extension (Authlete has no
 * revoke-by-subject): the engine's half of locking or deleting a user at a front that runs apart
 * from it (OPENCIBA_ENGINE_URL), whose directory is not in this database. It runs the same
 * revocation as a local lock, in one transaction, and is idempotent, so the front may retry it.
 */
export function adminSubjectRoutes(app: FastifyInstance, options: ApiOptions): void {
  app.post('/admin/services/:serviceId/subjects/revoke', {
    onRequest: callerHook(options, 'service'),
    schema: { tags: ['OpenCIBA Administration'], summary: "Revoke a subject's tokens and approved requests", body, response: { 200: answer, ...errors } },
  }, async (request, reply) => {
    const id = serviceIdOf(request);
    const unavailable = await options.serviceUnavailable(id);
    if (unavailable) return sendResult(request, reply, unavailable);
    const { subject } = request.body as { subject: string };
    return sendResult(request, reply, await options.frontStore.revokeSubject(id, subject, options.engine.clock.now()));
  });
}
