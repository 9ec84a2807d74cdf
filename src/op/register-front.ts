import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OpContext } from './op-context.js';
import { frontMetadata } from './http/front-discovery.js';
import { sendOAuthError } from './http/oauth-reply.js';
import { addInteractionId } from './http/interaction-id.js';
import { backchannelEndpoint } from './endpoints/backchannel-endpoint.js';
import { introspectionEndpoint } from './endpoints/introspection-endpoint.js';
import { revocationEndpoint } from './endpoints/revocation-endpoint.js';
import { tokenEndpoint } from './endpoints/token-endpoint.js';
import { userinfoEndpoint } from './endpoints/userinfo-endpoint.js';
import { simulatorRoutes } from './device/simulator-routes.js';
import { authenticatorRoutes } from './authenticator/authenticator-routes.js';
import { OpenCibaApiError, OpenCibaTransportError } from '../sdk/errors.js';

type Handler = (op: OpContext, serviceId: number, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

const FORM = 'application/x-www-form-urlencoded';

function serviceIdOf(request: FastifyRequest): number | undefined {
  const raw = (request.params as { serviceId?: string }).serviceId ?? '';
  return /^[0-9]{1,15}$/.test(raw) ? Number(raw) : undefined;
}

/**
 * The OpenID Provider front, one per service under `{PUBLIC_URL}/s/{serviceId}`: discovery,
 * JWKS, the backchannel authentication, token, userinfo, introspection and revocation
 * endpoints, and the device simulator. Every error is JSON with no-store.
 */
export async function registerFront(app: FastifyInstance, op: OpContext): Promise<void> {
  await app.register(async (scope) => {
    // The engine wants the client's form body verbatim (`parameters`), so keep it as text here.
    scope.removeContentTypeParser(FORM);
    scope.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => done(null, body));
    addInteractionId(scope);

    scope.setErrorHandler((error: FastifyError, request, reply) => {
      // The engine's 404 is an unknown service and its 413 a request too large to relay; any other
      // refusal or failure of the engine (the front's token, its availability) is the server's
      // problem, never the client's.
      const engineStatus =
        error instanceof OpenCibaApiError ? (error.status === 404 || error.status === 413 ? error.status : 500) : error instanceof OpenCibaTransportError ? 500 : undefined;
      const status = engineStatus ?? (error as { status?: number }).status ?? error.statusCode ?? 500;
      if (status === 404) return sendOAuthError(reply, 404, 'not_found', 'No such service.');
      if (status === 413) return sendOAuthError(reply, 413, 'invalid_request', 'The request body is too large.');
      if (status >= 400 && status < 500) return sendOAuthError(reply, 400, 'invalid_request', 'The request is malformed.');
      request.log.error({ err: error }, 'front error');
      return sendOAuthError(reply, 500, 'server_error', 'The server could not process the request.');
    });
    scope.setNotFoundHandler((_request, reply) => sendOAuthError(reply, 404, 'not_found', 'No such endpoint.'));

    const withService = (handler: Handler, needsForm: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
      const serviceId = serviceIdOf(request);
      if (serviceId === undefined) return sendOAuthError(reply, 404, 'not_found', 'No such service.');
      if (needsForm && typeof request.body !== 'string') {
        return sendOAuthError(reply, 400, 'invalid_request', `The request must be a POST with Content-Type ${FORM}.`);
      }
      if (op.clientCertificates?.read(request) === 'oversized') {
        return sendOAuthError(reply, 400, 'invalid_request', 'The client certificate header is too large.');
      }
      return handler(op, serviceId, request, reply);
    };

    scope.get('/:serviceId/.well-known/openid-configuration', withService(async (o, id, _request, reply) => {
      const metadata = await o.engine.service.getConfiguration({ serviceId: String(id) });
      const visible = o.clientCertificates?.available === true;
      return reply.header('cache-control', 'no-cache').type('application/json').send(frontMetadata(metadata as Record<string, unknown>, visible));
    }, false));
    scope.get('/:serviceId/jwks', withService(async (o, id, _request, reply) => {
      const jwks = await o.engine.jwkSetEndpoint.serviceJwksGetApi({ serviceId: String(id) });
      return reply.header('cache-control', 'no-cache').type('application/jwk-set+json').send(jwks);
    }, false));
    scope.post('/:serviceId/backchannel/authentication', withService(backchannelEndpoint, true));
    scope.post('/:serviceId/token', withService(tokenEndpoint, true));
    scope.get('/:serviceId/userinfo', withService(userinfoEndpoint, false));
    scope.post('/:serviceId/userinfo', withService(userinfoEndpoint, false));
    scope.post('/:serviceId/introspect', withService(introspectionEndpoint, true));
    scope.post('/:serviceId/revoke', withService(revocationEndpoint, true));
    simulatorRoutes(scope, op, serviceIdOf);
    authenticatorRoutes(scope, op, serviceIdOf);
  }, { prefix: '/s' });
}
