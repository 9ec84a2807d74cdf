import type { FastifyInstance } from 'fastify';
import { apiErrors } from '../../engine/api-error.js';
import { checkOutboundUrl } from '../../lib/urls.js';
import { DEFAULT_FRONT_LIMITS, FRONT_LIMIT_SETTINGS } from '../../store/ports/front-settings-store.js';
import type { ApiOptions } from '../api-context.js';
import { callerHook, serviceIdOf } from '../http/caller-hook.js';
import { sendResult } from '../http/send-result.js';
import { pageOf, pagingQuerySchema } from './paging.js';

const errors = { '4xx': { $ref: 'result#' }, '5xx': { $ref: 'result#' } };
const tags = ['OpenCIBA Administration'];
const DEFAULTS = { deviceChannel: 'simulator', simulatorEnabled: false, bindingMessageMaxLength: 64, authenticatorNumberMatching: false, authenticatorNotMeSuspensionSeconds: 3600, ...DEFAULT_FRONT_LIMITS };
/** 256-bit HMAC key for webhook signatures, shown once when the webhook channel is set. */
const WEBHOOK_SECRET_BYTES = 32;

const frontBody = {
  type: 'object',
  properties: {
    deviceChannel: { type: 'string', enum: ['simulator', 'webhook', 'embedded', 'authenticator'] },
    webhookUrl: { type: 'string', maxLength: 2048 },
    simulatorEnabled: { type: 'boolean' },
    bindingMessageMaxLength: { type: 'integer', minimum: 1, maximum: 1024 },
    rotateWebhookSecret: { type: 'boolean' },
    authenticatorNumberMatching: { type: 'boolean' },
    authenticatorNotMeSuspensionSeconds: { type: 'integer', minimum: 0, maximum: 30 * 24 * 3600 },
    // An acr value (OIDC Core §2): printable, no spaces.
    authenticatorAcr: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
    // Whole numbers in range, or a 400 naming the field (the schema's error says which).
    ...Object.fromEntries(Object.entries(FRONT_LIMIT_SETTINGS).map(([name, s]) => [name, { type: 'integer', minimum: s.minimum, maximum: s.maximum }])),
  },
  additionalProperties: false,
};

/** Front settings (`/admin/services/{id}/front`) and the notification log (`…/notifications`). */
export function adminFrontRoutes(app: FastifyInstance, options: ApiOptions): void {
  const ctx = options.engine;
  const frontStore = options.frontStore;

  app.get('/admin/services/:serviceId/front', {
    onRequest: callerHook(options, 'service'),
    schema: { tags, summary: "Get the front's settings", response: { ...errors } },
  }, async (request, reply) => {
    const id = serviceIdOf(request);
    const unavailable = await options.serviceUnavailable(id);
    if (unavailable) return sendResult(request, reply, unavailable);
    const record = await frontStore.getFrontSettings(id);
    return sendResult(request, reply, { ...DEFAULTS, ...record?.data, webhookSecretSet: record?.webhookSecretSealed != null });
  });

  app.put('/admin/services/:serviceId/front', {
    onRequest: callerHook(options, 'service'),
    schema: { tags, summary: "Set the front's settings (device channel, webhook, simulator)", body: frontBody, response: { ...errors } },
  }, async (request, reply) => {
    const id = serviceIdOf(request);
    const unavailable = await options.serviceUnavailable(id);
    if (unavailable) return sendResult(request, reply, unavailable);
    const { rotateWebhookSecret, ...input } = (request.body ?? {}) as Record<string, unknown>;
    const current = await frontStore.getFrontSettings(id);
    const data: Record<string, unknown> = { ...DEFAULTS, ...current?.data, ...input };
    if (data.deviceChannel === 'webhook') {
      if (typeof data.webhookUrl !== 'string') return sendResult(request, reply, apiErrors.badRequest("The webhook channel needs 'webhookUrl'."));
      const problem = checkOutboundUrl(data.webhookUrl, ctx.mode);
      if (problem) return sendResult(request, reply, apiErrors.badRequest(`'webhookUrl' ${problem}.`));
    }
    if (data.deviceChannel === 'embedded' && !options.embeddedDevice) {
      return sendResult(request, reply, apiErrors.badRequest('This server has no embedded authentication device (createRuntime\'s authenticationDevice option).'));
    }
    let secret: string | undefined;
    let sealed = current?.webhookSecretSealed ?? null;
    if (data.deviceChannel === 'webhook' && (sealed === null || rotateWebhookSecret === true)) {
      secret = ctx.random.token(WEBHOOK_SECRET_BYTES);
      sealed = ctx.keyring.seal(secret);
    }
    await frontStore.putFrontSettings({ serviceId: id, data, webhookSecretSealed: sealed, modifiedAt: ctx.clock.now() });
    return sendResult(request, reply, { ...data, webhookSecretSet: sealed !== null, ...(secret ? { webhookSecret: secret } : {}) });
  });

  app.get('/admin/services/:serviceId/notifications', {
    onRequest: callerHook(options, 'service'),
    schema: { tags, summary: 'Ping, push and webhook deliveries with their attempts', querystring: pagingQuerySchema, response: { ...errors } },
  }, async (request, reply) => {
    const id = serviceIdOf(request);
    const unavailable = await options.serviceUnavailable(id);
    if (unavailable) return sendResult(request, reply, unavailable);
    const { start, end } = pageOf(request.query as { start?: number; end?: number });
    const page = await frontStore.listOutbox(id, start, end);
    return sendResult(request, reply, {
      start,
      end,
      totalCount: page.totalCount,
      notifications: page.items.map((n) => ({
        id: n.id,
        kind: n.kind,
        endpoint: n.endpoint,
        status: n.status,
        attempts: n.attempts,
        ...(n.lastError ? { lastError: n.lastError } : {}),
        summary: n.summary,
        createdAt: n.createdAt,
        nextAttemptAt: n.nextAttemptAt,
        expiresAt: n.expiresAt,
        ...(n.finishedAt !== null ? { finishedAt: n.finishedAt } : {}),
      })),
    });
  });
}
