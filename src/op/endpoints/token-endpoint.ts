import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OpContext } from '../op-context.js';
import { basicCredentials } from '../http/client-credentials.js';
import { sendJsonContent, sendOAuthError } from '../http/oauth-reply.js';
import { STATUS_OF_ACTION } from './action-status.js';

const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';

/**
 * `{issuer}/token` (RFC 6749 §3.2, CIBA §10.1). For the CIBA grant the user's status is checked
 * once more: a user locked since approving gets no tokens.
 */
export async function tokenEndpoint(op: OpContext, serviceId: number, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const parameters = request.body as string;
  const basic = basicCredentials(request.headers.authorization);
  if (basic === 'malformed') return sendOAuthError(reply, 401, 'invalid_client', 'The Authorization header is malformed.', { 'www-authenticate': 'Basic realm="token"' });

  const form = new URLSearchParams(parameters);
  if (form.get('grant_type') === CIBA_GRANT) {
    const authReqId = form.get('auth_req_id');
    const pending = authReqId ? await op.store.findFrontRequest(serviceId, op.keyring.digest(authReqId)) : undefined;
    if (pending && pending.status === 'allowed') {
      const user = await op.store.getUser(serviceId, pending.subject);
      if (!user || user.status !== 'active') return sendOAuthError(reply, 400, 'access_denied', 'The user can no longer be authenticated.');
    }
  }

  const answer = await op.engine.token.process({
    serviceId: String(serviceId),
    tokenRequest: { parameters, ...(basic ? { clientId: basic.clientId, clientSecret: basic.clientSecret } : {}) },
  });
  const headers: Record<string, string> = answer.action === 'INVALID_CLIENT' ? { 'www-authenticate': 'Basic realm="token"' } : {};
  return sendJsonContent(reply, STATUS_OF_ACTION[String(answer.action)] ?? 500, answer.responseContent, headers);
}
