import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isApiError } from '../../engine/api-error.js';
import { apiOperations } from '../../sdk/api-operations.js';
import { pathParamsOf, type OperationName, type OperationSpec, type RequestOf } from '../../sdk/operation-spec.js';
import { serviceIdOfPath } from '../../sdk/in-process/path-ids.js';
import { runOperation } from '../../sdk/in-process/run-operation.js';
import { schemaOf } from '../../wire/schemas.js';
import type { ApiOptions } from '../api-context.js';
import { actionRequestSchema, errorResponses } from '../http/action-schemas.js';
import { sendApiError } from '../http/api-error-reply.js';
import { callerHook } from '../http/caller-hook.js';
import { splitFormArrays } from '../http/form-arrays.js';
import { sendResult } from '../http/send-result.js';

type Source = 'query' | 'body';

function paramsSchema(path: string) {
  const names = pathParamsOf(path);
  if (names.length === 0) return undefined;
  return { type: 'object', properties: Object.fromEntries(names.map((name) => [name, { type: 'string' }])), required: names };
}

function responseSchema<K extends OperationName>(spec: OperationSpec<K>) {
  const ok = spec.response !== undefined ? { 200: { $ref: `${spec.response}#` } } : spec.noContent ? {} : { 200: { type: 'object', additionalProperties: true } };
  return { ...ok, ...(spec.noContent ? { 204: { type: 'null' } } : {}), ...errorResponses };
}

function bodySchema<K extends OperationName>(spec: OperationSpec<K>) {
  if (!spec.body) return undefined;
  return spec.body.actionStyle ? actionRequestSchema(spec.body.schema) : { $ref: `${spec.body.schema}#` };
}

/** The SDK request the route's parameters, query and body make up. */
function requestOf<K extends OperationName>(spec: OperationSpec<K>, request: FastifyRequest, source: Source): RequestOf<K> {
  const body = request.body ?? {};
  if (spec.body?.member === 'self') return body as RequestOf<K>;
  const members = { ...(request.params as object), ...(source === 'body' ? (body as object) : (request.query as object)) };
  return (spec.body ? { ...members, [spec.body.member]: body } : members) as RequestOf<K>;
}

/** An answer sent as JSON text, `?pretty=true` indented (discovery and the JWK Set, as Authlete sends them). */
function sendJsonText(reply: FastifyReply, value: unknown, pretty: boolean): FastifyReply {
  return reply
    .code(200)
    .header('cache-control', 'no-store')
    .type('application/json')
    .send(JSON.stringify(value, null, pretty ? 2 : undefined));
}

/**
 * Authlete's operations, one route each (and a POST form where the table says so), derived from
 * the table of operations: the caller hook for its scope, its wire schemas for validation,
 * serialization and the OpenAPI document, and its engine function.
 */
export function operationRoutes(app: FastifyInstance, options: ApiOptions): void {
  const ctx = options.engine;
  for (const name of Object.keys(apiOperations) as OperationName[]) {
    const spec: OperationSpec<typeof name> = apiOperations[name];
    const hasServiceId = pathParamsOf(spec.path).includes('serviceId');
    const params = paramsSchema(spec.path);
    const formSchema = spec.body ? schemaOf(spec.body.schema) : undefined;

    const handler = async (request: FastifyRequest, reply: FastifyReply, source: Source) => {
      const caller = request.apiCaller!;
      // The caller hook has checked the service id of service-scoped paths; an organization-scoped one is checked here.
      const serviceId = hasServiceId ? (request.apiServiceId ?? serviceIdOfPath((request.params as { serviceId: string }).serviceId)) : 0;
      if (isApiError(serviceId)) return sendApiError(request, reply, serviceId);
      const result = await runOperation(ctx, name, spec, requestOf(spec, request, source), { serviceId, caller, check: false });
      if (!spec.jsonText || isApiError(result) || result === undefined) return sendResult(request, reply, result);
      return sendJsonText(reply, result, (source === 'body' ? (request.body as { pretty?: boolean } | undefined) : (request.query as { pretty?: boolean }))?.pretty === true);
    };
    const route = (method: OperationSpec<typeof name>['method'], summary: string, source: Source) =>
      app.route({
        method,
        url: spec.path,
        onRequest: callerHook(options, spec.scope),
        ...(formSchema ? { preValidation: async (request: FastifyRequest) => splitFormArrays(request, formSchema) } : {}),
        schema: {
          tags: [spec.tag],
          summary,
          ...(params ? { params } : {}),
          ...(spec.query && source === 'query' ? { querystring: { type: 'object', properties: spec.query } } : {}),
          ...(spec.query && source === 'body' ? { body: { type: 'object', properties: spec.query } } : {}),
          ...(spec.body ? { body: bodySchema(spec) } : {}),
          response: responseSchema(spec),
        },
        handler: (request, reply) => handler(request, reply, source),
      });
    route(spec.method, spec.summary, 'query');
    if (spec.formPost) route('POST', spec.formPost, 'body');
  }
}
