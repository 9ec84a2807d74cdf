import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../../lib/keyring.js';
import { isClientIdAliasSyntax } from '../../wire/ids.js';
import type { Client } from '../../wire/management-types.js';
import type { OpContext } from '../op-context.js';
import { basicCredentials } from '../http/client-credentials.js';
import { sendJsonContent, sendOAuthError } from '../http/oauth-reply.js';
import { STATUS_OF_ACTION } from './action-status.js';

/**
 * `{issuer}/introspect` (RFC 7662): the caller must be a confidential client of the service
 * registered for client_secret_basic or client_secret_post, authenticated with its secret
 * (Basic or form); resource servers are registered as such clients. The engine's standard
 * introspection does not authenticate (reference §8.2), so the front does it with the client's
 * record.
 */
export async function introspectionEndpoint(op: OpContext, serviceId: number, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const parameters = request.body as string;
  const form = new URLSearchParams(parameters);
  const basic = basicCredentials(request.headers.authorization);
  const credentials = basic && basic !== 'malformed' ? basic : { clientId: form.get('client_id') ?? '', clientSecret: form.get('client_secret') ?? '' };
  const refuse = () => sendOAuthError(reply, 401, 'invalid_client', 'Client authentication failed.', { 'www-authenticate': 'Basic realm="introspect"' });
  // A numeric id or a custom alias: both fit the alias syntax.
  if (basic === 'malformed' || !isClientIdAliasSyntax(credentials.clientId) || !credentials.clientSecret) return refuse();
  let client: Client;
  try {
    client = await op.engine.client.get({ serviceId: String(serviceId), clientId: credentials.clientId });
  } catch {
    return refuse();
  }
  // Only confidential clients registered for secret authentication may introspect.
  const secretMethod = client.tokenAuthMethod === 'CLIENT_SECRET_BASIC' || client.tokenAuthMethod === 'CLIENT_SECRET_POST';
  if (client.clientType !== 'CONFIDENTIAL' || !secretMethod || client.locked === true) return refuse();
  if (typeof client.clientSecret !== 'string' || !constantTimeEqual(client.clientSecret, credentials.clientSecret)) return refuse();

  const answer = await op.engine.introspection.standardProcess({ serviceId: String(serviceId), standardIntrospectionRequest: { parameters } });
  return sendJsonContent(reply, STATUS_OF_ACTION[answer.action] ?? 500, answer.responseContent);
}
