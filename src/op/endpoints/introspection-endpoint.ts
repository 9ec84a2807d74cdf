import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OpContext } from '../op-context.js';
import { basicCredentials } from '../http/client-credentials.js';
import { certificateFields } from '../http/client-certificate.js';
import { sendJsonContent, sendOAuthError } from '../http/oauth-reply.js';
import { userMayHoldTokens } from '../users/user-may-hold-tokens.js';
import { STATUS_OF_ACTION } from './action-status.js';

/** The resultCode by which the engine says it authenticated the client (see StandardIntrospectionRequest). */
const AUTHENTICATED_OK = 'A145002';
const CHALLENGE = { 'www-authenticate': 'Basic realm="introspect"' };

/**
 * `{issuer}/introspect` (RFC 7662). The engine authenticates the caller with its registered method
 * (RFC 6749 §2.3: exactly one, the registered one, at the methods the service supports for
 * introspection) and answers a client only about its own tokens unless it is a resource server,
 * so the front holds no copy of the client authentication rules.
 */
export async function introspectionEndpoint(op: OpContext, serviceId: number, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const basic = basicCredentials(request.headers.authorization);
  if (basic === 'malformed') return sendOAuthError(reply, 401, 'invalid_client', 'The Authorization header is malformed.', CHALLENGE);
  const answer = await op.engine.introspection.standardProcess({
    serviceId: String(serviceId),
    standardIntrospectionRequest: {
      parameters: request.body as string,
      clientAuthenticationRequired: true,
      ...certificateFields(op.clientCertificates, request),
      ...(basic ? { clientId: basic.clientId, clientSecret: basic.clientSecret } : {}),
    },
  });
  if (answer.action === 'INVALID_CLIENT') return sendJsonContent(reply, 401, answer.responseContent, CHALLENGE);
  // Fail closed against an engine that ignored the request to authenticate (Authlete itself does):
  // an answer about a token must come from an authenticated introspection.
  if (answer.action === 'OK' && answer.resultCode !== AUTHENTICATED_OK) {
    return sendOAuthError(reply, 500, 'server_error', 'The engine did not authenticate the client.');
  }
  if (answer.action === 'OK' && !(await ownerIsActive(op, serviceId, answer.responseContent))) return sendJsonContent(reply, 200, JSON.stringify({ active: false }));
  return sendJsonContent(reply, STATUS_OF_ACTION[answer.action] ?? 500, answer.responseContent);
}

/** A token of a user the directory no longer holds as active is not active (see userMayHoldTokens); one without a user is unaffected. */
async function ownerIsActive(op: OpContext, serviceId: number, content: string | undefined): Promise<boolean> {
  let sub: unknown;
  try {
    sub = (JSON.parse(content ?? '{}') as { active?: unknown; sub?: unknown }).sub;
  } catch {
    return false;
  }
  return typeof sub !== 'string' || (await userMayHoldTokens(op, serviceId, sub));
}
