import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OpContext } from '../op-context.js';
import { basicCredentials } from '../http/client-credentials.js';
import { certificateFields } from '../http/client-certificate.js';
import { noStore, sendJsonContent, sendOAuthError } from '../http/oauth-reply.js';
import { STATUS_OF_ACTION } from './action-status.js';

/** `{issuer}/revoke` (RFC 7009): 200 with an empty body whether or not the token was known. */
export async function revocationEndpoint(op: OpContext, serviceId: number, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const basic = basicCredentials(request.headers.authorization);
  if (basic === 'malformed') return sendOAuthError(reply, 401, 'invalid_client', 'The Authorization header is malformed.', { 'www-authenticate': 'Basic realm="revoke"' });
  const answer = await op.engine.revocation.process({
    serviceId: String(serviceId),
    revocationRequest: { parameters: request.body as string, ...certificateFields(op.clientCertificates, request), ...(basic ? { clientId: basic.clientId, clientSecret: basic.clientSecret } : {}) },
  });
  if (answer.action === 'OK') return noStore(reply).code(200).send();
  const headers: Record<string, string> = answer.action === 'INVALID_CLIENT' ? { 'www-authenticate': 'Basic realm="revoke"' } : {};
  return sendJsonContent(reply, STATUS_OF_ACTION[answer.action] ?? 500, answer.responseContent, headers);
}
