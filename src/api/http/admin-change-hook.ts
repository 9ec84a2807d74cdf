import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf } from '../../engine/access/api-callers.js';
import type { AuditSink } from '../../store/ports.js';

type Resource = 'service' | 'client' | 'user' | 'device' | 'key' | 'front';
type Action = 'create' | 'update' | 'delete' | 'lock' | 'unlock' | 'rotate';

/** How an administration route changes what: the resource, the action, and where its target is named. */
interface ChangeRoute {
  resource: Resource;
  action: Action | ((request: FastifyRequest) => Action);
  /** The target from the path's parameters, or from the answer (a created service or client). */
  target: (params: Record<string, string>, answer: Record<string, unknown>) => string;
  /** The user the change is about, for the event's subject (a user's devices and enrolments). */
  subject?: (params: Record<string, string>) => string;
  /** The changed fields, when the body does not name them (a refreshed secret has no body). */
  changes?: string[];
  /** The service the event belongs to, when the path does not name it (a created service). */
  serviceOfAnswer?: boolean;
}

const userAction = (request: FastifyRequest): Action => {
  const status = (request.body as { status?: unknown } | undefined)?.status;
  return status === 'locked' ? 'lock' : status === 'active' ? 'unlock' : 'update';
};

/** Every route that changes a service's configuration, keyed by Fastify's method and route URL. */
const CHANGE_ROUTES: Record<string, ChangeRoute> = {
  'POST /api/service/create': { resource: 'service', action: 'create', target: (_, a) => String(a.apiKey ?? ''), serviceOfAnswer: true },
  'POST /api/:serviceId/service/update': { resource: 'service', action: 'update', target: (p) => p.serviceId! },
  'DELETE /api/:serviceId/service/delete': { resource: 'service', action: 'delete', target: (p) => p.serviceId! },
  'POST /api/:serviceId/client/create': { resource: 'client', action: 'create', target: (_, a) => String(a.clientId ?? '') },
  'POST /api/:serviceId/client/update/:clientId': { resource: 'client', action: 'update', target: (p) => p.clientId! },
  'DELETE /api/:serviceId/client/delete/:clientId': { resource: 'client', action: 'delete', target: (p) => p.clientId! },
  // Named, never valued: the secret itself stays out of the trail.
  'GET /api/:serviceId/client/secret/refresh/:clientIdentifier': { resource: 'client', action: 'rotate', target: (p) => p.clientIdentifier!, changes: ['clientSecret'] },
  'POST /api/:serviceId/client/secret/update/:clientIdentifier': { resource: 'client', action: 'update', target: (p) => p.clientIdentifier!, changes: ['clientSecret'] },
  'PUT /admin/services/:serviceId/users/:subject': { resource: 'user', action: userAction, target: (p) => p.subject! },
  'DELETE /admin/services/:serviceId/users/:subject': { resource: 'user', action: 'delete', target: (p) => p.subject! },
  // An enrolment link is a device to be: its target is the user until the device exists (its own create names it).
  'POST /admin/services/:serviceId/users/:subject/enrolments': { resource: 'device', action: 'create', target: (p) => p.subject!, subject: (p) => p.subject! },
  'DELETE /admin/services/:serviceId/users/:subject/devices/:deviceId': { resource: 'device', action: 'delete', target: (p) => p.deviceId!, subject: (p) => p.subject! },
  'PUT /admin/services/:serviceId/front': { resource: 'front', action: 'update', target: (p) => p.serviceId! },
  'POST /admin/services/:serviceId/keys/rotate': { resource: 'key', action: 'rotate', target: (p) => p.serviceId! },
};

/** At most this many field names per change (a body is bounded, but its keys need not be few). */
const MAX_CHANGED_FIELDS = 100;

/**
 * Records `admin.changed` for every successful change through the API, in one place rather than
 * in each route: who (the caller's token, by id), which resource, what action, and the names of
 * the fields the request set — names only, since values include secrets (a client's jwks, a
 * user code, a webhook secret).
 */
export function installAdminChangeAudit(app: FastifyInstance, audit: AuditSink): void {
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const route = CHANGE_ROUTES[`${request.method} ${request.routeOptions.url ?? ''}`];
    if (!route || reply.statusCode < 200 || reply.statusCode >= 300) return payload;
    const params = (request.params ?? {}) as Record<string, string>;
    const answer = parsedAnswer(payload);
    const serviceId = Number(route.serviceOfAnswer ? answer.apiKey : params.serviceId);
    if (!Number.isSafeInteger(serviceId) || serviceId <= 0) return payload;
    const body = request.body;
    const changes = route.changes ?? (body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).slice(0, MAX_CHANGED_FIELDS) : []);
    await audit.record({
      serviceId,
      type: 'admin.changed',
      ...(route.subject ? { subject: route.subject(params) } : {}),
      data: {
        actor: actorOf(request.apiCaller),
        resource: route.resource,
        action: typeof route.action === 'function' ? route.action(request) : route.action,
        target: route.target(params, answer),
        ...(changes.length > 0 ? { changes } : {}),
      },
    });
    return payload;
  });
}

function parsedAnswer(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return {};
  try {
    return JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return {};
  }
}
