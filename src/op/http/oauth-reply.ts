import type { FastifyReply } from 'fastify';
import { errorDescription } from '../../lib/error-description.js';

/** Every answer of the front carries these (CIBA §7.3, RFC 6749 §5.1). */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

/** Relays a JSON body the engine built (responseContent) with the given status. */
export function sendJsonContent(reply: FastifyReply, status: number, content: string | undefined, headers: Record<string, string> = {}): FastifyReply {
  noStore(reply).code(status).type('application/json;charset=UTF-8');
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  return reply.send(content ?? '{}');
}

/** An OAuth error body of the front's own (RFC 6749 §5.2 shape and character set). */
export function sendOAuthError(reply: FastifyReply, status: number, error: string, description: string, headers: Record<string, string> = {}): FastifyReply {
  return sendJsonContent(reply, status, JSON.stringify({ error, error_description: errorDescription(description) }), headers);
}
