import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OpContext } from '../op-context.js';
import { loadFrontSettings } from '../front-settings.js';
import { bearerToken } from '../http/client-credentials.js';
import { noStore, sendOAuthError } from '../http/oauth-reply.js';
import { decideRequest, type Decision } from './decide-request.js';
import { simulatorPage } from './simulator-page.js';

type Params = { serviceId: string };

/**
 * The device simulator at `{issuer}/device`: the page, its JSON API, and the automated approval
 * URL `POST {issuer}/device/api/ciba/{auth_req_id}/{allow|deny}`. Open in development mode; in
 * production mode off unless the service enables it, and then only with the admin token.
 */
export function simulatorRoutes(app: FastifyInstance, op: OpContext, serviceIdOf: (request: FastifyRequest) => number | undefined): void {
  const gate = async (request: FastifyRequest, reply: FastifyReply, api: boolean): Promise<number | FastifyReply> => {
    const serviceId = serviceIdOf(request);
    if (serviceId === undefined) return sendOAuthError(reply, 404, 'not_found', 'No such service.');
    if (op.mode === 'development') return serviceId;
    const settings = await loadFrontSettings(op.store, serviceId);
    if (!settings.simulatorEnabled) return sendOAuthError(reply, 404, 'not_found', 'The device simulator is disabled.');
    if (api && !(await op.isAdminToken(bearerToken(request.headers.authorization)))) {
      return sendOAuthError(reply, 401, 'invalid_token', 'The device simulator needs the admin token.', { 'www-authenticate': 'Bearer realm="device"' });
    }
    return serviceId;
  };
  const issuerOf = (serviceId: number) => `${op.publicUrl}/s/${serviceId}`;

  app.get<{ Params: Params }>('/:serviceId/device', async (request, reply) => {
    const serviceId = await gate(request, reply, false);
    if (typeof serviceId !== 'number') return serviceId;
    return noStore(reply)
      .header('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
      .type('text/html; charset=utf-8')
      .send(simulatorPage({ issuer: issuerOf(serviceId), needsToken: op.mode === 'production' }));
  });

  app.get<{ Params: Params }>('/:serviceId/device/api/users', async (request, reply) => {
    const serviceId = await gate(request, reply, true);
    if (typeof serviceId !== 'number') return serviceId;
    const page = await op.store.listUsers(serviceId, 0, 500);
    return noStore(reply).send({
      users: page.items.map((u) => ({ subject: u.subject, ...(typeof u.data.name === 'string' ? { name: u.data.name } : {}), status: u.status })),
    });
  });

  app.get<{ Params: Params; Querystring: { subject?: string } }>('/:serviceId/device/api/requests', {
    schema: { querystring: { type: 'object', properties: { subject: { type: 'string', maxLength: 255 } } } },
  }, async (request, reply) => {
    const serviceId = await gate(request, reply, true);
    if (typeof serviceId !== 'number') return serviceId;
    const pending = await op.store.listPendingFrontRequests(serviceId, request.query.subject, op.clock.now(), 100);
    return noStore(reply).send({
      requests: pending.map((r) => ({
        id: r.authReqIdDigest,
        subject: r.subject,
        clientId: r.details.clientId,
        clientName: r.details.clientName,
        bindingMessage: r.details.bindingMessage,
        scopes: r.details.scopes ?? [],
        acrs: r.details.acrs,
        channel: r.channel,
        expiresAt: r.expiresAt,
      })),
    });
  });

  const decisionSchema = { params: { type: 'object', properties: { serviceId: { type: 'string' }, id: { type: 'string', maxLength: 256 }, decision: { type: 'string', enum: ['allow', 'deny'] } }, required: ['id', 'decision'] } };

  const answerDecision = async (reply: FastifyReply, outcome: Awaited<ReturnType<typeof decideRequest>>) =>
    outcome.ok ? noStore(reply).send({ result: outcome.result }) : sendOAuthError(reply, outcome.status, outcome.error, outcome.description);

  app.post<{ Params: Params & { id: string; decision: Decision } }>('/:serviceId/device/api/ciba/:id/:decision', { schema: decisionSchema }, async (request, reply) => {
    const serviceId = await gate(request, reply, true);
    if (typeof serviceId !== 'number') return serviceId;
    return answerDecision(reply, await decideRequest(op, serviceId, { authReqId: request.params.id }, request.params.decision));
  });

  app.post<{ Params: Params & { id: string; decision: Decision } }>('/:serviceId/device/api/requests/:id/:decision', { schema: decisionSchema }, async (request, reply) => {
    const serviceId = await gate(request, reply, true);
    if (typeof serviceId !== 'number') return serviceId;
    return answerDecision(reply, await decideRequest(op, serviceId, { digest: request.params.id }, request.params.decision));
  });
}
