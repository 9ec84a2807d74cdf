import type { FastifyReply, FastifyRequest } from 'fastify';
import { isApiError, type ApiError } from '../../engine/api-error.js';
import { sendApiError } from './api-error-reply.js';

/** Sends an engine result: an ApiError becomes the standard error body, anything else JSON. */
export function sendResult<T>(request: FastifyRequest, reply: FastifyReply, result: T | ApiError, status = 200): FastifyReply {
  if (isApiError(result)) return sendApiError(request, reply, result);
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  if (result === undefined) return reply.code(status === 200 ? 204 : status).send();
  return reply.code(status).send(result);
}
