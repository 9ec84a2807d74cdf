import type { FastifyInstance, FastifyRequest } from 'fastify';
import { processBackchannelAuthentication } from '../../engine/ciba/backchannel-authentication.js';
import { completeForApi } from '../../engine/ciba/complete-managed.js';
import { failBackchannelAuthentication } from '../../engine/ciba/fail.js';
import { issueAuthReqId } from '../../engine/ciba/issue.js';
import { schemaOf } from '../../wire/schemas.js';
import type { ApiOptions } from '../api-context.js';
import { actionRequestSchema, errorResponses, serviceIdParams } from '../http/action-schemas.js';
import { callerHook, serviceIdOf } from '../http/caller-hook.js';
import { splitFormArrays } from '../http/form-arrays.js';
import { sendResult } from '../http/send-result.js';

const tags = ['CIBA'];

/** Authlete's four CIBA operations (reference §3–§6). */
export function cibaRoutes(app: FastifyInstance, options: ApiOptions): void {
  const ctx = options.engine;
  const route = (path: string, summary: string, request: string, response: string, handler: (request: FastifyRequest) => Promise<unknown>) =>
    app.post(path, {
      onRequest: callerHook(options, 'service'),
      preValidation: async (req) => splitFormArrays(req, schemaOf(request)),
      schema: { tags, summary, params: serviceIdParams, body: actionRequestSchema(request), response: { 200: { $ref: `${response}#` }, ...errorResponses } },
    }, async (req, reply) => sendResult(req, reply, await handler(req)));
  const body = <T>(request: FastifyRequest) => (request.body ?? {}) as T;

  route('/api/:serviceId/backchannel/authentication', 'Process a backchannel authentication request', 'backchannel_authentication_request', 'backchannel_authentication_response',
    (req) => processBackchannelAuthentication(ctx, serviceIdOf(req), body(req)));
  route('/api/:serviceId/backchannel/authentication/issue', 'Issue an auth_req_id', 'backchannel_authentication_issue_request', 'backchannel_authentication_issue_response',
    (req) => issueAuthReqId(ctx, serviceIdOf(req), body(req)));
  route('/api/:serviceId/backchannel/authentication/fail', 'Build the error response for a rejected backchannel request', 'backchannel_authentication_fail_request', 'backchannel_authentication_fail_response',
    (req) => failBackchannelAuthentication(ctx, serviceIdOf(req), body(req)));
  route('/api/:serviceId/backchannel/authentication/complete', 'Report the result of end-user authentication', 'backchannel_authentication_complete_request', 'backchannel_authentication_complete_response',
    (req) => completeForApi(ctx, serviceIdOf(req), body(req)));
}
