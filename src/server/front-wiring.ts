import type { FastifyInstance } from 'fastify';
import type { EngineContext } from '../engine/context.js';
import { identifyApiCaller } from '../engine/access/api-callers.js';
import { isApiError } from '../engine/api-error.js';
import { NotificationDispatcher } from '../op/notifications/dispatcher.js';
import type { DeliveryObserver } from '../op/notifications/delivery-observer.js';
import { sweepExpiringRequests } from '../op/device/expiry-sweeper.js';
import type { FrontEngine } from '../op/front-engine.js';
import type { AuthenticationDevice } from '../op/device/embedded-device.js';
import type { OpContext } from '../op/op-context.js';
import { clientCertificateSource } from '../op/http/client-certificate.js';
import { registerFront } from '../op/register-front.js';
import { webPushSender } from '../op/authenticator/web-push-sender.js';
import { createHttpApi } from '../sdk/http-client.js';
import { createInProcessApi } from '../sdk/in-process.js';
import type { Config } from './config.js';
import type { FrontStore } from '../store/ports.js';

export interface FrontHandle {
  op: OpContext;
  dispatcher: NotificationDispatcher;
  /** One sweep of unanswered requests (also run by the timer). */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 1_000;

/**
 * Mounts the OpenID Provider front and starts its background work: the notification
 * dispatcher and the sweep of unanswered requests. The front talks to the engine in-process,
 * or over HTTP when OPENCIBA_ENGINE_URL is set (then it keeps its own state in its own database).
 */
export async function mountFront(app: FastifyInstance, config: Config, engine: EngineContext, options: { store: FrontStore; background: boolean; authenticationDevice?: AuthenticationDevice | undefined; deliveryObserver?: DeliveryObserver }): Promise<FrontHandle> {
  const remote = config.engineUrl !== undefined;
  const api: FrontEngine = remote
    ? createHttpApi({ baseUrl: config.engineUrl!, token: config.engineToken ?? '' })
    : createInProcessApi(engine, { trustedCaller: true });
  const op: OpContext = {
    engine: api,
    store: options.store,
    keyring: engine.keyring,
    clock: engine.clock,
    random: engine.random,
    mode: engine.mode,
    publicUrl: config.publicUrl,
    engineOutboxes: !remote,
    engineRemote: remote,
    ...(options.authenticationDevice ? { embeddedDevice: options.authenticationDevice } : {}),
    log: app.log,
    audit: engine.audit,
    clientCertificates: clientCertificateSource({ directTls: config.tls.server !== undefined, header: config.tls.clientCertHeader, trustedProxies: config.tls.trustedProxies, log: app.log }),
    async isAdminToken(token) {
      if (!token) return false;
      const caller = await identifyApiCaller(engine, `Bearer ${token}`, config.adminToken);
      return !isApiError(caller) && caller.kind === 'organization';
    },
  };
  await registerFront(app, op);

  const dispatcher = new NotificationDispatcher({
    store: options.store,
    keyring: engine.keyring,
    clock: engine.clock,
    mode: engine.mode,
    log: app.log,
    audit: engine.audit,
    ...(config.outboxLeaseMs !== undefined ? { leaseMs: config.outboxLeaseMs } : {}),
    ...(options.deliveryObserver ? { observer: options.deliveryObserver } : {}),
    async webhookSecret(serviceId) {
      const settings = await options.store.getFrontSettings(serviceId);
      return settings?.webhookSecretSealed ? engine.keyring.open(settings.webhookSecretSealed) : undefined;
    },
    webPush: webPushSender(op),
  });
  let sweeping: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const sweep = () => sweepExpiringRequests(op);
  if (options.background) {
    dispatcher.start();
    const loop = () => {
      running = sweep()
        .catch((error: unknown) => app.log.warn({ err: error }, 'sweep failed'))
        .finally(() => {
          if (sweeping) sweeping = setTimeout(loop, SWEEP_INTERVAL_MS).unref();
        });
    };
    sweeping = setTimeout(loop, SWEEP_INTERVAL_MS).unref();
  }
  return {
    op,
    dispatcher,
    sweep,
    async stop() {
      if (sweeping) clearTimeout(sweeping);
      sweeping = undefined;
      await running;
      await dispatcher.stop();
    },
  };
}
