import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiError } from '../../engine/api-error.js';

/** The API path as Authlete names it in messages: without `/api` and the service id. */
export function apiPathOf(request: FastifyRequest): string {
  const path = (request.url.split('?')[0] ?? '').replace(/^\/api/, '');
  // Drop the service id segment of service-scoped paths, whatever the caller put there.
  return path.replace(/^\/[^/]*(?=\/(service|client|backchannel|auth)\/)/, '') || '/';
}

/** The standard error body (reference §1.3), with no-store like every API answer. */
export function sendApiError(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  return reply
    .code(error.status)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .type('application/json')
    .send({ resultCode: error.resultCode, resultMessage: error.message(apiPathOf(request)) });
}
