import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/** The RFC 4122 textual form, any version. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * FAPI 1 Baseline §6.2.1-11/12: a protected resource (userinfo here) answers with
 * `x-fapi-interaction-id`, the value the client sent or a fresh UUID; the FAPI-CIBA conformance
 * suite fails a resource call without it, and its ConnectID profile checks the backchannel and
 * token answers too, so every front answer carries it. The client must send a UUID (§6.2.2-4):
 * anything else is not echoed (a correlation id, not a place for arbitrary text) but replaced.
 */
export function addInteractionId(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (request, reply) => {
    const sent = request.headers['x-fapi-interaction-id'];
    reply.header('x-fapi-interaction-id', typeof sent === 'string' && UUID.test(sent) ? sent : randomUUID());
  });
}
