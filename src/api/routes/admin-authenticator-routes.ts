import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiErrors } from '../../engine/api-error.js';
import type { ApiOptions } from '../api-context.js';
import { deviceView } from '../../store/ports/authenticator-store.js';
import { issueEnrolment, MAX_ENROLMENT_SECONDS } from '../enrolment-code.js';
import { callerHook, serviceIdOf } from '../http/caller-hook.js';
import { sendResult } from '../http/send-result.js';
import { userParams } from './admin-user-routes.js';

const errors = { '4xx': { $ref: 'result#' }, '5xx': { $ref: 'result#' } };
const tags = ['OpenCIBA Administration'];
const deviceParams = {
  type: 'object',
  properties: { ...userParams.properties, deviceId: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } },
  required: ['serviceId', 'subject', 'deviceId'],
};

/** The authenticator app's enrolments and devices: `/admin/services/{id}/users/{subject}/enrolments|devices`. */
export function adminAuthenticatorRoutes(app: FastifyInstance, options: ApiOptions): void {
  const ctx = options.engine;
  const store = options.frontStore;
  const subjectOf = (request: FastifyRequest) => (request.params as { subject: string }).subject;

  app.post('/admin/services/:serviceId/users/:subject/enrolments', {
    onRequest: callerHook(options, 'service'),
    schema: {
      tags,
      summary: 'Issue a one-time enrolment link for the authenticator app (shown once)',
      params: userParams,
      body: { type: ['object', 'null'], properties: { expiresIn: { type: 'integer', minimum: 30, maximum: MAX_ENROLMENT_SECONDS } }, additionalProperties: false },
      response: { ...errors },
    },
  }, async (request, reply) => {
    const id = serviceIdOf(request);
    const unavailable = await options.serviceUnavailable(id);
    if (unavailable) return sendResult(request, reply, unavailable);
    const user = await store.getUser(id, subjectOf(request));
    if (!user) return sendResult(request, reply, apiErrors.notFound(`The user '${subjectOf(request).slice(0, 64)}' does not exist.`));
    if (user.status !== 'active') return sendResult(request, reply, apiErrors.badRequest('A locked user cannot enrol a device.'));
    const seconds = (request.body as { expiresIn?: number } | null)?.expiresIn ?? MAX_ENROLMENT_SECONDS;
    const issued = await issueEnrolment({ store, keyring: ctx.keyring, random: ctx.random, now: ctx.clock.now(), publicUrl: ctx.publicUrl }, id, user.subject, seconds);
    return sendResult(request, reply, { ...issued, expiresAt: new Date(issued.expiresAt).toISOString() }, 201);
  });

  app.get('/admin/services/:serviceId/users/:subject/devices', {
    onRequest: callerHook(options, 'service'),
    schema: { tags, summary: "A user's enrolled authenticator devices", params: userParams, response: { ...errors } },
  }, async (request, reply) => {
    const id = serviceIdOf(request);
    const unavailable = await options.serviceUnavailable(id);
    if (unavailable) return sendResult(request, reply, unavailable);
    const devices = await store.listDevices(id, subjectOf(request));
    return sendResult(request, reply, { devices: devices.map(deviceView) });
  });

  app.delete('/admin/services/:serviceId/users/:subject/devices/:deviceId', {
    onRequest: callerHook(options, 'service'),
    schema: { tags, summary: 'Revoke an authenticator device (its passkey and push subscriptions)', params: deviceParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (request, reply) => {
    const id = serviceIdOf(request);
    const { deviceId } = request.params as { deviceId: string };
    const revoked = await store.revokeDevice(id, subjectOf(request), deviceId, ctx.clock.now());
    return sendResult(request, reply, revoked ? undefined : apiErrors.notFound('No such device.'));
  });
}
