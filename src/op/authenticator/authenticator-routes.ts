import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { deviceView, type AuthenticatorDeviceRecord } from '../../store/ports/authenticator-store.js';
import { bearerToken } from '../http/client-credentials.js';
import { noStore, sendOAuthError } from '../http/oauth-reply.js';
import type { OpContext } from '../op-context.js';
import { APP_CSP, appFile } from './app-files.js';
import { decideWithPasskey, notMe, type DecisionInput } from './decision.js';
import { decisionView, pendingRequests } from './decision-view.js';
import type { Outcome } from './outcome.js';
import { finishEnrolment, startEnrolment, type FinishEnrolment } from './registration.js';
import { parseSubscription } from './subscription-input.js';
import { recordDeviceChange } from './authenticator-audit.js';

const TOKEN = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' };
const B64 = { type: 'string', maxLength: 8192, pattern: '^[A-Za-z0-9_-]*$' };
/** The JSON a WebAuthn ceremony returns; SimpleWebAuthn checks its contents. */
const credentialJson = (inner: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  properties: {
    id: { ...B64, minLength: 1, maxLength: 1400 },
    rawId: { ...B64, minLength: 1, maxLength: 1400 },
    type: { type: 'string', const: 'public-key' },
    authenticatorAttachment: { type: 'string', maxLength: 32 },
    clientExtensionResults: { type: 'object', maxProperties: 16 },
    response: { type: 'object', properties: inner, required, maxProperties: 16 },
  },
  required: ['id', 'rawId', 'type', 'response', 'clientExtensionResults'],
  additionalProperties: false,
});
const registrationJson = credentialJson(
  { clientDataJSON: B64, attestationObject: B64, authenticatorData: B64, publicKey: B64, publicKeyAlgorithm: { type: 'integer' }, transports: { type: 'array', maxItems: 8, items: { type: 'string', maxLength: 32 } } },
  ['clientDataJSON', 'attestationObject'],
);
const assertionJson = credentialJson({ clientDataJSON: B64, authenticatorData: B64, signature: B64, userHandle: B64 }, ['clientDataJSON', 'authenticatorData', 'signature']);

const SMALL = 4 * 1024;
const CEREMONY = 32 * 1024;

type Params = { serviceId: string; handle?: string; deviceId?: string; file?: string };

/**
 * The authenticator app at `{issuer}/authenticator/`: its files (an installable PWA with a service
 * worker; no inline script, a strict CSP) and its API: enrolment with a one-time code, the push
 * subscription, the pending requests and their decisions, and the user's own devices. Everything
 * after enrolment is authenticated with the device token the enrolment returned.
 */
export function authenticatorRoutes(app: FastifyInstance, op: OpContext, serviceIdOf: (request: FastifyRequest) => number | undefined): void {
  const send = <T>(reply: FastifyReply, outcome: Outcome<T>) =>
    outcome.ok ? noStore(reply).type('application/json;charset=UTF-8').send(outcome.value) : sendOAuthError(reply, outcome.status, outcome.error, outcome.description);

  /** The device whose token the request bears, of this service; otherwise the reply is sent. */
  const deviceOf = async (request: FastifyRequest, reply: FastifyReply): Promise<AuthenticatorDeviceRecord | FastifyReply> => {
    const serviceId = serviceIdOf(request);
    const token = bearerToken(request.headers.authorization);
    const device = token ? await op.store.findDeviceByToken(op.keyring.digest(token)) : undefined;
    if (serviceId === undefined || !device || device.serviceId !== serviceId) {
      return sendOAuthError(reply, 401, 'invalid_token', 'A valid device token is required.', { 'www-authenticate': 'Bearer realm="authenticator"' });
    }
    return device;
  };

  app.get('/:serviceId/authenticator', async (_request, reply) => reply.redirect('authenticator/', 302));
  app.get('/:serviceId/authenticator/', async (_request, reply) => serveFile(reply, 'index.html'));
  app.get<{ Params: Params }>('/:serviceId/authenticator/:file', async (request, reply) => serveFile(reply, request.params.file ?? ''));

  app.post('/:serviceId/authenticator/api/enrol/start', {
    bodyLimit: SMALL,
    schema: { body: { type: 'object', properties: { code: TOKEN }, required: ['code'], additionalProperties: false } },
  }, async (request, reply) => {
    const serviceId = serviceIdOf(request);
    if (serviceId === undefined) return sendOAuthError(reply, 404, 'not_found', 'No such service.');
    return send(reply, await startEnrolment(op, serviceId, (request.body as { code: string }).code));
  });

  app.post('/:serviceId/authenticator/api/enrol/finish', {
    bodyLimit: CEREMONY,
    schema: {
      body: {
        type: 'object',
        properties: { code: TOKEN, challengeId: TOKEN, label: { type: 'string', maxLength: 128, pattern: '^[^\\u0000-\\u001F\\u007F]*$' }, response: registrationJson },
        required: ['code', 'challengeId', 'response'],
        additionalProperties: false,
      },
    },
  }, async (request, reply) => {
    const serviceId = serviceIdOf(request);
    if (serviceId === undefined) return sendOAuthError(reply, 404, 'not_found', 'No such service.');
    return send(reply, await finishEnrolment(op, serviceId, request.body as FinishEnrolment));
  });

  app.post('/:serviceId/authenticator/api/push/subscribe', { bodyLimit: SMALL }, async (request, reply) => {
    const device = await deviceOf(request, reply);
    if (!('id' in device)) return device;
    const parsed = parseSubscription(request.body, op.mode);
    if (typeof parsed === 'string') return sendOAuthError(reply, 400, 'invalid_request', parsed);
    await op.store.putSubscription({
      id: op.random.token(16),
      deviceId: device.id,
      serviceId: device.serviceId,
      endpoint: parsed.endpoint,
      keysSealed: op.keyring.seal(JSON.stringify(parsed.keys)),
      createdAt: op.clock.now(),
    });
    await recordDeviceChange(op, device, 'update', ['pushSubscription']);
    return noStore(reply).code(204).send();
  });

  app.get('/:serviceId/authenticator/api/requests', async (request, reply) => {
    const device = await deviceOf(request, reply);
    if (!('id' in device)) return device;
    return noStore(reply).send({ requests: await pendingRequests(op, device) });
  });

  app.get<{ Params: Params }>('/:serviceId/authenticator/api/requests/:handle', { schema: { params: { type: 'object', properties: { handle: TOKEN } } } }, async (request, reply) => {
    const device = await deviceOf(request, reply);
    if (!('id' in device)) return device;
    return send(reply, await decisionView(op, device, request.params.handle!));
  });

  app.post<{ Params: Params }>('/:serviceId/authenticator/api/requests/:handle/decision', {
    bodyLimit: CEREMONY,
    schema: {
      params: { type: 'object', properties: { handle: TOKEN } },
      body: {
        type: 'object',
        properties: { challengeId: TOKEN, decision: { type: 'string', enum: ['approve', 'deny'] }, number: { type: 'string', pattern: '^[0-9]{1,6}$' }, response: assertionJson },
        required: ['challengeId', 'decision', 'response'],
        additionalProperties: false,
      },
    },
  }, async (request, reply) => {
    const device = await deviceOf(request, reply);
    if (!('id' in device)) return device;
    return send(reply, await decideWithPasskey(op, device, request.params.handle!, request.body as DecisionInput));
  });

  app.post<{ Params: Params }>('/:serviceId/authenticator/api/requests/:handle/not-me', { bodyLimit: SMALL, schema: { params: { type: 'object', properties: { handle: TOKEN } } } }, async (request, reply) => {
    const device = await deviceOf(request, reply);
    if (!('id' in device)) return device;
    return send(reply, await notMe(op, device, request.params.handle!));
  });

  app.get('/:serviceId/authenticator/api/devices', async (request, reply) => {
    const device = await deviceOf(request, reply);
    if (!('id' in device)) return device;
    const devices = await op.store.listDevices(device.serviceId, device.subject);
    return noStore(reply).send({ subject: device.subject, thisDevice: device.id, devices: devices.map(deviceView) });
  });

  app.delete<{ Params: Params }>('/:serviceId/authenticator/api/devices/:deviceId', { schema: { params: { type: 'object', properties: { deviceId: TOKEN } } } }, async (request, reply) => {
    const device = await deviceOf(request, reply);
    if (!('id' in device)) return device;
    const revoked = await op.store.revokeDevice(device.serviceId, device.subject, request.params.deviceId!, op.clock.now());
    if (!revoked) return sendOAuthError(reply, 404, 'not_found', 'No such device.');
    await recordDeviceChange(op, { serviceId: device.serviceId, subject: device.subject, id: request.params.deviceId! }, 'delete');
    return noStore(reply).code(204).send();
  });
}

function serveFile(reply: FastifyReply, name: string): FastifyReply {
  const file = appFile(name);
  if (!file) return sendOAuthError(reply, 404, 'not_found', 'No such file.');
  reply.header('content-security-policy', APP_CSP).header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache');
  // The worker controls only the app's own path (its default scope).
  return reply.type(file.type).send(file.body);
}
