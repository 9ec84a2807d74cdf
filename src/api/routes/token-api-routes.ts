import type { FastifyInstance, FastifyRequest } from 'fastify';
import { introspectAccessToken } from '../../engine/token-apis/introspection.js';
import { revokeToken } from '../../engine/token-apis/revocation.js';
import { standardIntrospection } from '../../engine/token-apis/standard-introspection.js';
import { issueUserinfo, processUserinfo } from '../../engine/token-apis/userinfo.js';
import { schemaOf } from '../../wire/schemas.js';
import type { ApiOptions } from '../api-context.js';
import { actionRequestSchema, errorResponses, serviceIdParams } from '../http/action-schemas.js';
import { callerHook, serviceIdOf } from '../http/caller-hook.js';
import { splitFormArrays } from '../http/form-arrays.js';
import { sendResult } from '../http/send-result.js';

/** Introspection, revocation and userinfo (reference §8–§10). */
export function tokenApiRoutes(app: FastifyInstance, options: ApiOptions): void {
  const ctx = options.engine;
  const route = (path: string, tag: string, summary: string, request: string, response: string, handler: (request: FastifyRequest) => Promise<unknown>) =>
    app.post(path, {
      onRequest: callerHook(options, 'service'),
      preValidation: async (req) => splitFormArrays(req, schemaOf(request)),
      schema: { tags: [tag], summary, params: serviceIdParams, body: actionRequestSchema(request), response: { 200: { $ref: `${response}#` }, ...errorResponses } },
    }, async (req, reply) => sendResult(req, reply, await handler(req)));
  const body = <T>(request: FastifyRequest) => (request.body ?? {}) as T;

  route('/api/:serviceId/auth/introspection', 'Introspection Endpoint', 'Validate an access token (for resource servers)', 'introspection_request', 'introspection_response',
    (req) => introspectAccessToken(ctx, serviceIdOf(req), body(req)));
  route('/api/:serviceId/auth/introspection/standard', 'Introspection Endpoint', 'RFC 7662 introspection', 'standard_introspection_request', 'standard_introspection_response',
    (req) => standardIntrospection(ctx, serviceIdOf(req), body(req)));
  route('/api/:serviceId/auth/revocation', 'Revocation Endpoint', 'RFC 7009 revocation', 'revocation_request', 'revocation_response',
    (req) => revokeToken(ctx, serviceIdOf(req), body(req)));
  route('/api/:serviceId/auth/userinfo', 'UserInfo Endpoint', 'Validate a userinfo request', 'userinfo_request', 'userinfo_response',
    (req) => processUserinfo(ctx, serviceIdOf(req), body(req)));
  route('/api/:serviceId/auth/userinfo/issue', 'UserInfo Endpoint', 'Build the userinfo response', 'userinfo_issue_request', 'userinfo_issue_response',
    (req) => issueUserinfo(ctx, serviceIdOf(req), body(req)));
}
