import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiErrors, isApiError } from '../../engine/api-error.js';
import { serviceConfiguration } from '../../engine/discovery/service-configuration.js';
import { getServiceJwks } from '../../engine/services/service-operations.js';
import type { ApiOptions } from '../api-context.js';
import { sendApiError } from '../http/api-error-reply.js';
import { callerHook, serviceIdOf } from '../http/caller-hook.js';
import { sendResult } from '../http/send-result.js';

const errors = { '4xx': { $ref: 'result#' }, '5xx': { $ref: 'result#' } };
const serviceIdParams = { type: 'object', properties: { serviceId: { type: 'string' } }, required: ['serviceId'] };
const configurationOptions = {
  type: 'object',
  properties: { pretty: { type: 'boolean' }, patch: { type: 'string', maxLength: 65536 } },
};

function sendJson(reply: FastifyReply, value: unknown, pretty: boolean): FastifyReply {
  return reply
    .code(200)
    .header('cache-control', 'no-store')
    .type('application/json')
    .send(JSON.stringify(value, null, pretty ? 2 : undefined));
}

export function discoveryRoutes(app: FastifyInstance, options: ApiOptions): void {
  const ctx = options.engine;

  const configuration = async (request: FastifyRequest, reply: FastifyReply, input: { pretty?: boolean; patch?: string }) => {
    const metadata = await serviceConfiguration(ctx, serviceIdOf(request), input.patch);
    if (isApiError(metadata)) return sendApiError(request, reply, metadata);
    return sendJson(reply, metadata, input.pretty === true);
  };

  app.get('/api/:serviceId/service/configuration', {
    onRequest: callerHook(options, 'service'),
    schema: { tags: ['Service Management'], summary: 'OpenID Provider metadata of a service', params: serviceIdParams, querystring: configurationOptions, response: { 200: { type: 'object', additionalProperties: true }, ...errors } },
  }, (request, reply) => configuration(request, reply, request.query as { pretty?: boolean; patch?: string }));

  app.post('/api/:serviceId/service/configuration', {
    onRequest: callerHook(options, 'service'),
    schema: { tags: ['Service Management'], summary: 'OpenID Provider metadata of a service (POST form)', params: serviceIdParams, body: configurationOptions, response: { 200: { type: 'object', additionalProperties: true }, ...errors } },
  }, (request, reply) => configuration(request, reply, (request.body ?? {}) as { pretty?: boolean; patch?: string }));

  app.get('/api/:serviceId/service/jwks/get', {
    onRequest: callerHook(options, 'service'),
    schema: {
      tags: ['JWK Set Endpoint'],
      summary: "A service's JWK Set",
      params: serviceIdParams,
      querystring: { type: 'object', properties: { includePrivateKeys: { type: 'boolean' }, pretty: { type: 'boolean' } } },
      response: { 200: { $ref: 'service_jwks_get_response#' }, 204: { type: 'null' }, ...errors },
    },
  }, async (request, reply) => {
    const query = request.query as { includePrivateKeys?: boolean; pretty?: boolean };
    const includePrivate = query.includePrivateKeys === true;
    if (includePrivate && request.apiCaller?.kind !== 'organization') {
      return sendApiError(request, reply, apiErrors.forbidden('Private keys are given only to the organization token.'));
    }
    const jwks = await getServiceJwks(ctx, serviceIdOf(request), includePrivate);
    if (isApiError(jwks) || jwks === undefined) return sendResult(request, reply, jwks, 204);
    return sendJson(reply, jwks, query.pretty === true);
  });
}
