import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiErrors, type ApiError } from '../../engine/api-error.js';
import { sendApiError } from './api-error-reply.js';
import { JSON_TOO_DEEP } from './json-body-parser.js';

/** Maps Fastify's own failures (parsing, validation, limits) and anything unexpected to API errors. */
export function apiErrorFor(error: FastifyError, bodyLimit: number): ApiError {
  if (error.validation) {
    const where = error.validationContext ?? 'request';
    return apiErrors.badRequest(`The ${where} is invalid: ${error.message.replace(/^\w+\/?/, '').trim() || error.message}.`);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return apiErrors.bodyTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return apiErrors.unsupportedMediaType(String(error.message.split("'")[1] ?? 'unknown'));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return apiErrors.badRequest('The request body is empty but the content type says JSON.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return apiErrors.badRequest('The request body is not valid JSON.');
    case JSON_TOO_DEEP:
      return apiErrors.badRequest(error.message);
  }
  if (error instanceof SyntaxError || error.statusCode === 400) return apiErrors.badRequest('The request body could not be parsed.');
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return apiErrors.badRequest(error.message);
  }
  return apiErrors.serverError();
}

export function installApiErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = apiErrorFor(error, bodyLimit);
    if (apiError.status >= 500) request.log.error({ err: error }, 'unexpected error');
    return sendApiError(request, reply, apiError);
  });
}
