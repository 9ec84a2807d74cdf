import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS, METRIC_PREFIX } from './registry.js';

/**
 * The OAuth and OpenCIBA error codes that may be an outcome label. Anything else a body says is
 * counted by its status class: labels stay bounded whatever a handler (or an attacker) puts there.
 */
const KNOWN_ERRORS = new Set([
  'invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope',
  'authorization_pending', 'slow_down', 'expired_token', 'access_denied', 'transaction_failed',
  'unknown_user_id', 'expired_login_hint_token', 'invalid_binding_message', 'invalid_user_code', 'missing_user_code',
  'invalid_request_object', 'invalid_token', 'insufficient_scope', 'invalid_dpop_proof', 'use_dpop_nonce',
  'unsupported_token_type', 'invalid_authorization_details', 'server_error', 'temporarily_unavailable', 'not_found',
]);

/** Bodies longer than this are not looked into: an OAuth error body is short. */
const MAX_ERROR_BODY = 4096;

const outcomeKey = Symbol('openciba.metrics.outcome');
type Tagged = FastifyRequest & { [outcomeKey]?: string };

function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/** The OAuth error code of an error answer, if it is one we name. */
function errorCodeOf(payload: unknown): string | undefined {
  if (typeof payload !== 'string' || payload.length > MAX_ERROR_BODY || !payload.startsWith('{')) return undefined;
  const match = /"error"\s*:\s*"([a-z_]{1,64})"/.exec(payload);
  return match && KNOWN_ERRORS.has(match[1]!) ? match[1] : undefined;
}

/**
 * Counts and times every answer by method, route template (never the raw URL: ids would make
 * the label unbounded) and outcome (the OAuth error code, else the status class).
 */
export function installHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'Time to answer an HTTP request, by method, route template and outcome (OAuth error code or status class); _count is the request count.',
    labelNames: ['method', 'route', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  app.addHook('onSend', async (request: Tagged, reply: FastifyReply, payload) => {
    if (reply.statusCode >= 400) {
      const code = errorCodeOf(payload);
      if (code) request[outcomeKey] = code;
    }
    return payload;
  });
  app.addHook('onResponse', async (request: Tagged, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = KNOWN_METHODS.has(request.method) ? request.method : 'OTHER';
    const outcome = request[outcomeKey] ?? statusClass(reply.statusCode);
    duration.observe({ method, route, outcome }, reply.elapsedTime / 1000);
  });
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
