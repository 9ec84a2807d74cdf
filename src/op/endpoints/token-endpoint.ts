import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OpContext } from '../op-context.js';
import { basicCredentials } from '../http/client-credentials.js';
import { sendJsonContent, sendOAuthError } from '../http/oauth-reply.js';
import { STATUS_OF_ACTION } from './action-status.js';
import { dpopProof, endpointUri, nonceHeader } from './dpop-header.js';

const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';

async function userActive(op: OpContext, serviceId: number, subject: string): Promise<boolean> {
  const user = await op.store.getUser(serviceId, subject);
  return user?.status === 'active';
}

/**
 * `{issuer}/token` (RFC 6749 §3.2, CIBA §10.1). The user's status is checked once more: a user
 * locked since approving gets no tokens, and a locked user's refresh tokens stop working. (The
 * check comes before client authentication, so whoever holds an auth_req_id or refresh token
 * learns that its user is locked; both are secrets of the client already.)
 */
export async function tokenEndpoint(op: OpContext, serviceId: number, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const parameters = request.body as string;
  const basic = basicCredentials(request.headers.authorization);
  if (basic === 'malformed') return sendOAuthError(reply, 401, 'invalid_client', 'The Authorization header is malformed.', { 'www-authenticate': 'Basic realm="token"' });

  const dpop = dpopProof(request);
  if (dpop === 'multiple') return sendOAuthError(reply, 400, 'invalid_dpop_proof', 'The request carries more than one DPoP header.');

  const form = new URLSearchParams(parameters);
  const grantType = form.get('grant_type');
  if (grantType === CIBA_GRANT) {
    const authReqId = form.get('auth_req_id');
    const pending = authReqId ? await op.store.findFrontRequest(serviceId, op.keyring.digest(authReqId)) : undefined;
    if (pending && pending.status === 'allowed' && !(await userActive(op, serviceId, pending.subject))) {
      return sendOAuthError(reply, 400, 'access_denied', 'The user can no longer be authenticated.');
    }
  } else if (grantType === 'refresh_token' && form.get('refresh_token')) {
    // A locked user's refresh tokens stop working too (the engine does not know the directory).
    const introspected = await op.engine.introspection.standardProcess({
      serviceId: String(serviceId),
      standardIntrospectionRequest: { parameters: new URLSearchParams({ token: form.get('refresh_token')!, token_type_hint: 'refresh_token' }).toString() },
    });
    const subject = introspected.action === 'OK' ? (JSON.parse(String(introspected.responseContent)) as { sub?: unknown }).sub : undefined;
    if (typeof subject === 'string' && !(await userActive(op, serviceId, subject))) {
      return sendOAuthError(reply, 400, 'invalid_grant', 'The user can no longer be authenticated.');
    }
  }

  const answer = await op.engine.token.process({
    serviceId: String(serviceId),
    tokenRequest: {
      parameters,
      ...(basic ? { clientId: basic.clientId, clientSecret: basic.clientSecret } : {}),
      ...(dpop !== undefined ? { dpop, htm: request.method, htu: endpointUri(op, serviceId, 'token') } : {}),
    },
  });
  const headers: Record<string, string> = { ...(answer.action === 'INVALID_CLIENT' ? { 'www-authenticate': 'Basic realm="token"' } : {}), ...nonceHeader(answer) };
  return sendJsonContent(reply, STATUS_OF_ACTION[answer.action] ?? 500, answer.responseContent, headers);
}
