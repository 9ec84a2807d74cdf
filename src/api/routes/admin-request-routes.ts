import type { FastifyInstance } from 'fastify';
import { apiErrors, isApiError, type ApiError } from '../../engine/api-error.js';
import type { FrontRequestFilter, FrontRequestRecord, FrontRequestState } from '../../store/ports.js';
import type { ApiOptions } from '../api-context.js';
import { callerHook, serviceIdOf } from '../http/caller-hook.js';
import { sendResult } from '../http/send-result.js';

const errors = { '4xx': { $ref: 'result#' }, '5xx': { $ref: 'result#' } };
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
const STATES: readonly FrontRequestState[] = ['pending', 'approved', 'denied', 'expired'];

const querystring = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: STATES },
    subject: { type: 'string', minLength: 1, maxLength: 255 },
    clientId: { type: 'string', pattern: '^[0-9]{1,15}$' },
    cursor: { type: 'string', minLength: 1, maxLength: 128 },
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT },
  },
  additionalProperties: false,
} as const;

interface Query {
  state?: FrontRequestState;
  subject?: string;
  clientId?: string;
  cursor?: string;
  limit?: number;
}

/** The live requests of a service (contract C): what users are being asked, newest first. */
export function adminRequestRoutes(app: FastifyInstance, options: ApiOptions): void {
  const ctx = options.engine;

  app.get('/admin/services/:serviceId/requests', {
    onRequest: callerHook(options, 'service'),
    schema: { tags: ['OpenCIBA Administration'], summary: 'Backchannel requests on the front: pending, decided and expired', querystring, response: { ...errors } },
  }, async (request, reply) => {
    const id = serviceIdOf(request);
    const unavailable = await options.serviceUnavailable(id);
    if (unavailable) return sendResult(request, reply, unavailable);
    const query = request.query as Query;
    const before = query.cursor === undefined ? undefined : parseCursor(query.cursor);
    if (isApiError(before)) return sendResult(request, reply, before);
    const filter: FrontRequestFilter = {
      ...(query.state ? { state: query.state } : {}),
      ...(query.subject !== undefined ? { subject: query.subject } : {}),
      ...(query.clientId !== undefined ? { clientId: Number(query.clientId) } : {}),
      ...(before ? { before } : {}),
    };
    const limit = query.limit ?? DEFAULT_LIMIT;
    const now = ctx.clock.now();
    // One more than asked tells whether another page follows without counting the table.
    const rows = await options.frontStore.listFrontRequests(id, filter, now, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return sendResult(request, reply, {
      requests: page.map((r) => view(r, now, ctx.keyring.open(r.authReqIdSealed))),
      ...(rows.length > limit && last ? { nextCursor: cursorOf(last) } : {}),
    });
  });
}

function view(r: FrontRequestRecord, now: number, authReqId: string) {
  const d = r.details;
  return {
    authReqId,
    clientId: r.clientId,
    ...(typeof d.clientName === 'string' ? { clientName: d.clientName } : {}),
    subject: r.subject,
    ...(typeof d.bindingMessage === 'string' ? { bindingMessage: d.bindingMessage } : {}),
    scopes: Array.isArray(d.scopes) ? d.scopes.map(String) : [],
    channel: r.channel,
    state: stateOf(r, now),
    createdAt: new Date(r.createdAt).toISOString(),
    expiresAt: new Date(r.expiresAt).toISOString(),
  };
}

/**
 * `failed` is written by the expiry sweep (and when a device could not be reached in time):
 * to the operator that request ran out without a decision, so it is listed as expired.
 */
function stateOf(r: FrontRequestRecord, now: number): FrontRequestState {
  if (r.status === 'allowed') return 'approved';
  if (r.status === 'denied') return 'denied';
  if (r.status === 'pending' && r.expiresAt > now) return 'pending';
  return 'expired';
}

/** Opaque to callers; a position (creation time, digest) and nothing secret: digests are keyed. */
function cursorOf(r: FrontRequestRecord): string {
  return Buffer.from(`${r.createdAt}.${r.authReqIdDigest}`, 'utf8').toString('base64url');
}

function parseCursor(cursor: string): { createdAt: number; authReqIdDigest: string } | ApiError {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^([0-9]{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(text);
  if (!match) return apiErrors.badRequest("'cursor' is not a cursor this listing returned.");
  return { createdAt: Number(match[1]), authReqIdDigest: match[2] as string };
}
