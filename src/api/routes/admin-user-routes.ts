import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiErrors, type ApiError } from '../../engine/api-error.js';
import type { UserRecord } from '../../store/ports.js';
import { hashUserCode } from '../../lib/user-code-hash.js';
import type { ApiOptions } from '../api-context.js';
import { callerHook, serviceIdOf } from '../http/caller-hook.js';
import { sendResult } from '../http/send-result.js';
import { pageOf, pagingQuerySchema } from './paging.js';

const errors = { '4xx': { $ref: 'result#' }, '5xx': { $ref: 'result#' } };
const tags = ['OpenCIBA Administration'];
// Identifiers are matched against hints: no control characters (PostgreSQL cannot even hold NUL).
export const PRINTABLE = '^[^\\u0000-\\u001F\\u007F]*$';
/** `{serviceId}` and `{subject}` of the user routes (and the authenticator's, under them). */
export const userParams = {
  type: 'object',
  properties: { serviceId: { type: 'string' }, subject: { type: 'string', minLength: 1, maxLength: 255, pattern: PRINTABLE } },
  required: ['serviceId', 'subject'],
};
const userBody = {
  type: 'object',
  properties: {
    email: { type: 'string', maxLength: 320, pattern: PRINTABLE },
    phone_number: { type: 'string', maxLength: 64, pattern: PRINTABLE },
    name: { type: 'string', maxLength: 256 },
    status: { type: 'string', enum: ['active', 'locked'] },
    userCode: { type: 'string', minLength: 1, maxLength: 64 },
  },
  additionalProperties: true,
  maxProperties: 64,
};
const userView = { type: 'object', additionalProperties: true, properties: { subject: { type: 'string' }, status: { type: 'string' } } };

/** The response view of a user: claims and status, never the user code itself. */
function viewOf(user: UserRecord): Record<string, unknown> {
  const { userCode, ...claims } = user.data;
  return {
    ...claims,
    subject: user.subject,
    ...(user.email ? { email: user.email } : {}),
    ...(user.phoneNumber ? { phone_number: user.phoneNumber } : {}),
    status: user.status,
    hasUserCode: typeof userCode === 'string',
    createdAt: user.createdAt,
    modifiedAt: user.modifiedAt,
  };
}

/** The built-in user directory: `/admin/services/{serviceId}/users[/{subject}]`. */
export function adminUserRoutes(app: FastifyInstance, options: ApiOptions): void {
  const ctx = options.engine;
  const users = options.frontStore;
  const subjectOf = (request: FastifyRequest) => (request.params as { subject: string }).subject;
  /**
   * With a remote engine her tokens live in its database, which the local transaction does not
   * reach: the engine revokes them too, on every lock or delete, so repeating the request after a
   * failure (502) retries. Until then she stays locked here and the front refuses her tokens
   * (op/users/user-may-hold-tokens.ts).
   */
  async function alsoAtEngine(serviceId: number, subject: string, done: string): Promise<ApiError | undefined> {
    const problem = await options.revokeAtEngine?.(serviceId, subject);
    if (problem === undefined) return undefined;
    return apiErrors.badGateway(
      `The user was ${done} here, but the remote engine did not revoke her tokens (${problem.slice(0, 300)}). ` +
        'This front refuses them meanwhile; repeat this request to retry.',
    );
  }

  app.get('/admin/services/:serviceId/users', {
    onRequest: callerHook(options, 'service'),
    schema: { tags, summary: 'List users of the built-in directory', querystring: pagingQuerySchema, response: { ...errors } },
  }, async (request, reply) => {
    const id = serviceIdOf(request);
    const unavailable = await options.serviceUnavailable(id);
    if (unavailable) return sendResult(request, reply, unavailable);
    const { start, end } = pageOf(request.query as { start?: number; end?: number });
    const page = await users.listUsers(id, start, end);
    return sendResult(request, reply, { start, end, totalCount: page.totalCount, users: page.items.map(viewOf) });
  });

  app.put('/admin/services/:serviceId/users/:subject', {
    onRequest: callerHook(options, 'service'),
    schema: { tags, summary: 'Create or replace a user', params: userParams, body: userBody, response: { 200: userView, ...errors } },
  }, async (request, reply) => {
    const id = serviceIdOf(request);
    const unavailable = await options.serviceUnavailable(id);
    if (unavailable) return sendResult(request, reply, unavailable);
    const { email, phone_number, status, ...claims } = (request.body ?? {}) as Record<string, unknown>;
    for (const reserved of ['sub', 'subject']) delete claims[reserved];
    // Only the salted hash is stored (the schema made it a string).
    if (typeof claims.userCode === 'string') claims.userCode = await hashUserCode(claims.userCode);
    const now = ctx.clock.now();
    const existing = await users.getUser(id, subjectOf(request));
    const user: UserRecord = {
      serviceId: id,
      subject: subjectOf(request),
      email: typeof email === 'string' && email !== '' ? email : null,
      phoneNumber: typeof phone_number === 'string' && phone_number !== '' ? phone_number : null,
      status: status === 'locked' ? 'locked' : 'active',
      data: claims,
      createdAt: existing?.createdAt ?? now,
      modifiedAt: now,
    };
    // Locking revokes her tokens and open requests in the same transaction (UserStore.putUser).
    await users.putUser(user);
    const failed = user.status === 'locked' ? await alsoAtEngine(id, user.subject, 'locked') : undefined;
    return sendResult(request, reply, failed ?? viewOf(user));
  });

  app.get('/admin/services/:serviceId/users/:subject', {
    onRequest: callerHook(options, 'service'),
    schema: { tags, summary: 'Get a user', params: userParams, response: { 200: userView, ...errors } },
  }, async (request, reply) => {
    const user = await users.getUser(serviceIdOf(request), subjectOf(request));
    return sendResult(request, reply, user ? viewOf(user) : apiErrors.notFound(`The user '${subjectOf(request).slice(0, 64)}' does not exist.`));
  });

  app.delete('/admin/services/:serviceId/users/:subject', {
    onRequest: callerHook(options, 'service'),
    schema: { tags, summary: 'Delete a user', params: userParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (request, reply) => {
    // Her tokens and open requests are revoked in the same transaction (UserStore.deleteUser).
    const deleted = await users.deleteUser(serviceIdOf(request), subjectOf(request), ctx.clock.now());
    // Also when she is already gone here: a retry after a 502 must reach the engine again.
    const failed = await alsoAtEngine(serviceIdOf(request), subjectOf(request), deleted ? 'deleted' : 'already gone');
    return sendResult(request, reply, failed ?? (deleted ? undefined : apiErrors.notFound(`The user '${subjectOf(request).slice(0, 64)}' does not exist.`)));
  });

  // Lock or unlock alone: the PUT above replaces the whole user, and a caller that only wants to
  // lock her cannot send back her user code (only its hash is kept, and it is never shown).
  app.put('/admin/services/:serviceId/users/:subject/status', {
    onRequest: callerHook(options, 'service'),
    schema: {
      tags, summary: 'Lock or unlock a user, keeping everything else', params: userParams,
      body: { type: 'object', properties: { status: { type: 'string', enum: ['active', 'locked'] } }, required: ['status'], additionalProperties: false },
      response: { 200: userView, ...errors },
    },
  }, async (request, reply) => {
    const id = serviceIdOf(request);
    const unavailable = await options.serviceUnavailable(id);
    if (unavailable) return sendResult(request, reply, unavailable);
    const existing = await users.getUser(id, subjectOf(request));
    if (!existing) return sendResult(request, reply, apiErrors.notFound(`The user '${subjectOf(request).slice(0, 64)}' does not exist.`));
    const user: UserRecord = { ...existing, status: (request.body as { status: 'active' | 'locked' }).status, modifiedAt: ctx.clock.now() };
    await users.putUser(user);
    const failed = user.status === 'locked' ? await alsoAtEngine(id, user.subject, 'locked') : undefined;
    return sendResult(request, reply, failed ?? viewOf(user));
  });
}
