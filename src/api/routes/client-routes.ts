import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createClient, deleteClient, getClient, listClients, updateClient } from '../../engine/clients/client-operations.js';
import { resolveClientId } from '../../engine/clients/client-id-alias.js';
import { apiErrors } from '../../engine/api-error.js';
import { schemaOf } from '../../wire/schemas.js';
import type { ApiOptions } from '../api-context.js';
import { callerHook, serviceIdOf } from '../http/caller-hook.js';
import { splitFormArrays } from '../http/form-arrays.js';
import { sendResult } from '../http/send-result.js';
import { pageOf, pagingQuerySchema } from './paging.js';

const errors = { '4xx': { $ref: 'result#' }, '5xx': { $ref: 'result#' } };
const serviceIdParams = { type: 'object', properties: { serviceId: { type: 'string' } }, required: ['serviceId'] };
const clientParams = {
  type: 'object',
  properties: { serviceId: { type: 'string' }, clientId: { type: 'string' } },
  required: ['serviceId', 'clientId'],
};
const tags = ['Client Management'];

export function clientRoutes(app: FastifyInstance, options: ApiOptions): void {
  const ctx = options.engine;
  /** Client ids are numbers; a custom alias is accepted as well. */
  const clientIdOf = (request: FastifyRequest) => resolveClientId(ctx, serviceIdOf(request), (request.params as { clientId: string }).clientId);
  const clientBody = (request: FastifyRequest) => splitFormArrays(request, schemaOf('client'));
  const bodyOf = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
  const unknownClient = (request: FastifyRequest) =>
    apiErrors.clientNotFound(String((request.params as { clientId: string }).clientId).slice(0, 32));

  app.post('/api/:serviceId/client/create', {
    onRequest: callerHook(options, 'service'),
    preValidation: async (request) => clientBody(request),
    schema: { tags, summary: 'Create a client', params: serviceIdParams, body: { $ref: 'client#' }, response: { 200: { $ref: 'client#' }, ...errors } },
  }, async (request, reply) => sendResult(request, reply, await createClient(ctx, serviceIdOf(request), bodyOf(request))));

  app.get('/api/:serviceId/client/get/list', {
    onRequest: callerHook(options, 'service'),
    schema: {
      tags,
      summary: 'List clients',
      params: serviceIdParams,
      querystring: { ...pagingQuerySchema, properties: { ...pagingQuerySchema.properties, developer: { type: 'string', maxLength: 256 } } },
      response: { 200: { $ref: 'client_get_list_response#' }, ...errors },
    },
  }, async (request, reply) => {
    const query = request.query as { start?: number; end?: number; developer?: string };
    const { start, end } = pageOf(query);
    return sendResult(request, reply, await listClients(ctx, serviceIdOf(request), start, end, query.developer));
  });

  app.get('/api/:serviceId/client/get/:clientId', {
    onRequest: callerHook(options, 'service'),
    schema: { tags, summary: 'Get a client', params: clientParams, response: { 200: { $ref: 'client#' }, ...errors } },
  }, async (request, reply) => {
    const clientId = await clientIdOf(request);
    if (clientId === undefined) return sendResult(request, reply, unknownClient(request));
    return sendResult(request, reply, await getClient(ctx, serviceIdOf(request), clientId));
  });

  app.post('/api/:serviceId/client/update/:clientId', {
    onRequest: callerHook(options, 'service'),
    preValidation: async (request) => clientBody(request),
    schema: { tags, summary: 'Update a client', params: clientParams, body: { $ref: 'client#' }, response: { 200: { $ref: 'client#' }, ...errors } },
  }, async (request, reply) => {
    const clientId = await clientIdOf(request);
    if (clientId === undefined) return sendResult(request, reply, unknownClient(request));
    return sendResult(request, reply, await updateClient(ctx, serviceIdOf(request), clientId, bodyOf(request)));
  });

  app.delete('/api/:serviceId/client/delete/:clientId', {
    onRequest: callerHook(options, 'service'),
    schema: { tags, summary: 'Delete a client', params: clientParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (request, reply) => {
    const clientId = await clientIdOf(request);
    if (clientId === undefined) return sendResult(request, reply, unknownClient(request));
    return sendResult(request, reply, await deleteClient(ctx, serviceIdOf(request), clientId));
  });
}
