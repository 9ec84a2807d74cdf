import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OpContext } from '../op-context.js';
import { basicCredentials } from '../http/client-credentials.js';
import { certificateFields } from '../http/client-certificate.js';
import { sendJsonContent, sendOAuthError } from '../http/oauth-reply.js';
import { userMayHoldTokens } from '../users/user-may-hold-tokens.js';
import { STATUS_OF_ACTION } from './action-status.js';
import { dpopProof, endpointUri, nonceHeader } from './dpop-header.js';

/**
 * `{issuer}/token` (RFC 6749 §3.2, CIBA §10.1). With the engine in-process, a user's lock or
 * deletion revoked her tokens and turned her unredeemed requests into denials in the same
 * transaction (UserStore.putUser/deleteUser), so the engine refuses itself. A remote engine's
 * database knows nothing of it: tokens it minted for a user who is not active are never handed
 * out (the refresh token presented is spent all the same), as the in-process engine would answer.
 */
export async function tokenEndpoint(op: OpContext, serviceId: number, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const parameters = request.body as string;
  const basic = basicCredentials(request.headers.authorization);
  if (basic === 'malformed') return sendOAuthError(reply, 401, 'invalid_client', 'The Authorization header is malformed.', { 'www-authenticate': 'Basic realm="token"' });

  const dpop = dpopProof(request);
  if (dpop === 'multiple') return sendOAuthError(reply, 400, 'invalid_dpop_proof', 'The request carries more than one DPoP header.');

  const answer = await op.engine.token.process({
    serviceId: String(serviceId),
    tokenRequest: {
      parameters,
      ...certificateFields(op.clientCertificates, request),
      ...(basic ? { clientId: basic.clientId, clientSecret: basic.clientSecret } : {}),
      ...(dpop !== undefined ? { dpop, htm: request.method, htu: endpointUri(op, serviceId, 'token') } : {}),
    },
  });
  if (answer.action === 'OK' && typeof answer.subject === 'string' && !(await userMayHoldTokens(op, serviceId, answer.subject))) {
    return answer.grantType === 'REFRESH_TOKEN'
      ? sendOAuthError(reply, 400, 'invalid_grant', 'The refresh token is no longer valid.')
      : sendOAuthError(reply, 400, 'access_denied', 'The user can no longer be authenticated.');
  }
  const headers: Record<string, string> = { ...(answer.action === 'INVALID_CLIENT' ? { 'www-authenticate': 'Basic realm="token"' } : {}), ...nonceHeader(answer) };
  return sendJsonContent(reply, STATUS_OF_ACTION[answer.action] ?? 500, answer.responseContent, headers);
}
