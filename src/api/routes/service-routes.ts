import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createService, deleteService, getService, listServices, updateService } from '../../engine/services/service-operations.js';
import { schemaOf } from '../../wire/schemas.js';
import type { ApiOptions } from '../api-context.js';
import { callerHook, serviceIdOf } from '../http/caller-hook.js';
import { splitFormArrays } from '../http/form-arrays.js';
import { sendResult } from '../http/send-result.js';
import { pageOf, pagingQuerySchema } from './paging.js';

const errors = { '4xx': { $ref: 'result#' }, '5xx': { $ref: 'result#' } };
const serviceIdParams = { type: 'object', properties: { serviceId: { type: 'string' } }, required: ['serviceId'] };
const tags = ['Service Management'];

export function serviceRoutes(app: FastifyInstance, options: ApiOptions): void {
  const ctx = options.engine;
  const serviceBody = (request: FastifyRequest) => splitFormArrays(request, schemaOf('service'));
  const bodyOf = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;

  app.post('/api/service/create', {
    onRequest: callerHook(options, 'organization'),
    preValidation: async (request) => serviceBody(request),
    schema: { tags, summary: 'Create a service', body: { $ref: 'service#' }, response: { 200: { $ref: 'service#' }, ...errors } },
  }, async (request, reply) => sendResult(request, reply, await createService(ctx, bodyOf(request))));

  app.get('/api/service/get/list', {
    onRequest: callerHook(options, 'any'),
    schema: { tags, summary: 'List services', querystring: pagingQuerySchema, response: { 200: { $ref: 'service_get_list_response#' }, ...errors } },
  }, async (request, reply) => {
    const { start, end } = pageOf(request.query as { start?: number; end?: number });
    const caller = request.apiCaller;
    const only = caller?.kind === 'service' ? caller.serviceId : undefined;
    return sendResult(request, reply, await listServices(ctx, start, end, only));
  });

  app.get('/api/:serviceId/service/get', {
    onRequest: callerHook(options, 'service'),
    schema: { tags, summary: 'Get a service', params: serviceIdParams, response: { 200: { $ref: 'service#' }, ...errors } },
  }, async (request, reply) => sendResult(request, reply, await getService(ctx, serviceIdOf(request))));

  app.post('/api/:serviceId/service/update', {
    onRequest: callerHook(options, 'service'),
    preValidation: async (request) => serviceBody(request),
    schema: { tags, summary: 'Update a service', params: serviceIdParams, body: { $ref: 'service#' }, response: { 200: { $ref: 'service#' }, ...errors } },
  }, async (request, reply) => sendResult(request, reply, await updateService(ctx, serviceIdOf(request), bodyOf(request))));

  app.delete('/api/:serviceId/service/delete', {
    onRequest: callerHook(options, 'organization'),
    schema: { tags, summary: 'Delete a service', params: serviceIdParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (request, reply) => sendResult(request, reply, await deleteService(ctx, serviceIdOf(request))));
}
