import Fastify, { LogController, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { apiErrors, type ApiError } from '../engine/api-error.js';
import type { EngineContext } from '../engine/context.js';
import { AUTHLETE_OPENAPI_VERSION } from '../wire/schemas.js';
import { registerApi, registerWireSchemas } from '../api/register-api.js';
import { sendApiError } from '../api/http/api-error-reply.js';
import { apiErrorFor } from '../api/http/error-handler.js';
import type { Config } from './config.js';
import type { FrontStore } from '../store/ports.js';
import { installJsonBodyParser } from '../api/http/json-body-parser.js';
import { createHttpApi } from '../sdk/http-client.js';
import { isOpenCibaApiError } from '../sdk/errors.js';
import { engineRevocation } from './engine-revocation.js';
import { registerConsole } from './console/register-console.js';
import type { Registry } from 'prom-client';
import { installHttpMetrics } from './metrics/http-metrics.js';
import { registerMetricsRoute } from './metrics/metrics-endpoint.js';
import { installAuditAnswerBarrier } from './audit/answer-barrier.js';

export interface AppOptions {
  config: Config;
  engine: EngineContext;
  /** The front's tables, for the administration routes of users, front settings and notifications. */
  frontStore: FrontStore;
  /** pino options, or false for no logging (tests). */
  logger?: boolean | Record<string, unknown>;
  /** Whether the front has an embedded authentication device (allows the `embedded` channel). */
  embeddedDevice?: boolean;
  /** This server's metrics registry: every answer is counted on it, and `/metrics` shows it. */
  metrics?: Registry;
}

/** Builds the HTTP server: the API, the admin additions, docs and health. Does not listen. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, engine } = options;
  const app = Fastify({
    ...httpsOptions(config),
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: config.bodyLimit,
    trustProxy: false,
    // Per-request lines would dominate the log of a busy token endpoint; errors are logged where handled.
    logController: new LogController({ disableRequestLogging: true }),
    // Hostile clients must not hold sockets open forever.
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false, strict: false } },
    routerOptions: { maxParamLength: 200 },
    // Failures before routing (a malformed URL) get the same JSON body as everything else.
    frameworkErrors: (_error, request, reply) => {
      sendApiError(request, reply, apiErrors.badRequest('The request URL is malformed.'));
    },
    // A request that reached an open connection during the shutdown grace is served, not
    // refused with 503: the shutdown closes each connection after its answer (shutdown.ts).
    return503OnClosing: false,
    // Closing closes only connections idle between requests (shutdown.ts says why).
    forceCloseConnections: false,
  });
  if (options.metrics) installHttpMetrics(app, options.metrics);
  installAuditAnswerBarrier(app, engine.audit);

  installJsonBodyParser(app);
  await app.register(formbody, { bodyLimit: config.bodyLimit });
  registerWireSchemas(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'OpenCIBA API',
        version: '0.1.0',
        description: `Authlete-compatible API (wire format of Authlete API ${AUTHLETE_OPENAPI_VERSION}) and OpenCIBA's administration additions.`,
      },
      servers: [{ url: config.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    hideUntagged: true,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('cache-control', 'no-store').type('application/json').send(app.swagger()),
  );

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  if (options.metrics) registerMetricsRoute(app, options.metrics, engine, config.adminToken);

  await registerApi(app, { engine, frontStore: options.frontStore, adminToken: config.adminToken, bodyLimit: config.bodyLimit, serviceUnavailable: serviceAvailability(config, engine), revokeAtEngine: engineRevocation(config), embeddedDevice: options.embeddedDevice === true });

  await registerConsole(app);

  app.setNotFoundHandler((request, reply) => {
    return sendApiError(request, reply, apiErrors.notFound(`No such endpoint: ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}.`));
  });
  app.setErrorHandler((error, request, reply) => {
    const apiError = apiErrorFor(error as never, config.bodyLimit);
    if (apiError.status >= 500) request.log.error({ err: error }, 'unexpected error');
    return sendApiError(request, reply, apiError);
  });
  return app;
}

/**
 * TLS 1.2 suites the server accepts: forward-secret AEAD only (RFC 9325 §4.2; FAPI 1 Advanced §8.5
 * lists the ECDHE-RSA GCM ones, the ECDSA ones are their counterparts for an EC certificate).
 * Node's default list also allows CBC suites, which the FAPI conformance suite's token-endpoint
 * scan refuses. TLS 1.3 suites are all AEAD and listed first; the server's order wins.
 */
const TLS_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
].join(':');

/**
 * Direct TLS: the client certificate is requested, not required, and not validated by the TLS
 * layer (RFC 8705 §2: tls_client_auth chains are validated per client by the engine, and
 * self_signed_tls_client_auth certificates have no chain at all). TLS 1.2 at least (FAPI).
 */
function httpsOptions(config: Config): { https?: Record<string, unknown> } {
  const server = config.tls.server;
  if (!server) return {};
  return { https: { cert: server.cert, key: server.key, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2', ciphers: TLS_CIPHERS, honorCipherOrder: true } };
}

/** Local services, or — for a front in front of a remote engine — the engine's. */
function serviceAvailability(config: Config, engine: EngineContext): (serviceId: number) => Promise<ApiError | undefined> {
  if (config.engineUrl === undefined) {
    return async (id) => ((await engine.store.getService(id)) !== undefined ? undefined : apiErrors.serviceNotFound(String(id)));
  }
  const remote = createHttpApi({ baseUrl: config.engineUrl, token: config.engineToken ?? '' });
  return (id) =>
    remote.service.get({ serviceId: String(id) }).then(
      () => undefined,
      // Only the engine's own answers mean "not here": no such service (404), or one this front's
      // service token does not cover (403). Anything else (unreachable, a refused token, a 5xx)
      // leaves the question open, and the caller must not act as if it were answered.
      (error: unknown) =>
        isOpenCibaApiError(error) && (error.status === 404 || error.status === 403)
          ? apiErrors.serviceNotFound(String(id))
          : apiErrors.badGateway(`The remote engine could not be asked about service ${id}; nothing was changed, repeat this request.`),
    );
}
