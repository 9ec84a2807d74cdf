import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { auditEventJson } from '../../engine/audit/event-json.js';
import { transactionEvidence } from '../../engine/audit/evidence.js';
import type { ApiOptions } from '../api-context.js';
import { callerHook, serviceIdOf } from '../http/caller-hook.js';
import { sendResult } from '../http/send-result.js';
import { cursorOf, parseEventQuery } from '../http/event-query.js';

const tags = ['OpenCIBA Administration'];
const MAX_AUTH_REQ_ID = 256;

/** The audit routes answer their own errors in OAuth's shape (contract A), with no-store. */
function sendError(reply: FastifyReply, status: 400 | 404, error: string, description: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').header('pragma', 'no-cache').type('application/json').send({ error, error_description: description });
}

/**
 * The audit trail (`GET /admin/services/{id}/events`) and one transaction's evidence
 * (`GET /admin/services/{id}/requests/{authReqId}/evidence`), for the organization token or the
 * service's own token. A deleted service's trail stays readable: the events outlive it.
 */
export function adminAuditRoutes(app: FastifyInstance, options: ApiOptions): void {
  const ctx = options.engine;
  const known = async (serviceId: number) => (await ctx.store.getService(serviceId)) !== undefined || (await ctx.store.listAuditEvents(serviceId, { limit: 1 })).length > 0;

  app.get('/admin/services/:serviceId/events', {
    onRequest: callerHook(options, 'service'),
    schema: { tags, summary: "A service's audit events, oldest first, filtered by type, time, transaction or client" },
  }, async (request: FastifyRequest, reply: FastifyReply) => {
    const serviceId = serviceIdOf(request);
    const filter = parseEventQuery((request.query ?? {}) as Record<string, unknown>, ctx.keyring);
    if (typeof filter === 'string') return sendError(reply, 400, 'invalid_request', filter);
    if (!(await known(serviceId))) return sendError(reply, 404, 'not_found', 'No such service.');
    // One more than asked for tells whether there is a next page.
    const rows = await ctx.store.listAuditEvents(serviceId, { ...filter, limit: filter.limit + 1 });
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return sendResult(request, reply, {
      events: page.map((e) => auditEventJson(e, ctx.keyring)),
      ...(rows.length > filter.limit && last ? { nextCursor: cursorOf(last.id) } : {}),
    });
  });

  app.get('/admin/services/:serviceId/requests/:authReqId/evidence', {
    onRequest: callerHook(options, 'service'),
    schema: { tags, summary: 'Every audit event of one CIBA transaction, in order, with the proof of its place in the chain' },
  }, async (request: FastifyRequest, reply: FastifyReply) => {
    const authReqId = (request.params as { authReqId: string }).authReqId;
    if (authReqId.length > MAX_AUTH_REQ_ID || !/^[\x21-\x7e]+$/.test(authReqId)) return sendError(reply, 400, 'invalid_request', 'The auth_req_id is malformed.');
    const evidence = await transactionEvidence(ctx, serviceIdOf(request), authReqId);
    if (!evidence) return sendError(reply, 404, 'not_found', 'The service has no request with this auth_req_id.');
    return sendResult(request, reply, evidence);
  });
}
