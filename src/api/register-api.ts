import type { FastifyInstance } from 'fastify';
import { authleteSchemas } from '../wire/schemas.js';
import { withoutNulls } from '../lib/json.js';
import type { ApiOptions } from './api-context.js';
import { installApiErrorHandling } from './http/error-handler.js';
import { adminFrontRoutes } from './routes/admin-front-routes.js';
import { adminRoutes } from './routes/admin-routes.js';
import { adminUserRoutes } from './routes/admin-user-routes.js';
import { cibaRoutes } from './routes/ciba-routes.js';
import { clientRoutes } from './routes/client-routes.js';
import { discoveryRoutes } from './routes/discovery-routes.js';
import { serviceRoutes } from './routes/service-routes.js';
import { tokenApiRoutes } from './routes/token-api-routes.js';
import { tokenRoutes } from './routes/token-routes.js';

/** Registers Authlete's wire schemas once, for validation, serialization and the OpenAPI document. */
export function registerWireSchemas(app: FastifyInstance): void {
  for (const schema of Object.values(authleteSchemas)) app.addSchema(schema);
}

/** Mounts the Authlete-compatible API (`/api/…`) and OpenCIBA's additions (`/admin/…`). */
export async function registerApi(app: FastifyInstance, options: ApiOptions): Promise<void> {
  await app.register(async (scope) => {
    installApiErrorHandling(scope, options.bodyLimit);
    // A JSON null means "absent" here, as in Authlete (Gson); without this the validator would
    // coerce it to "" or 0.
    scope.addHook('preValidation', async (request) => {
      if (request.body !== null && typeof request.body === 'object') request.body = withoutNulls(request.body);
    });
    serviceRoutes(scope, options);
    clientRoutes(scope, options);
    discoveryRoutes(scope, options);
    cibaRoutes(scope, options);
    tokenRoutes(scope, options);
    tokenApiRoutes(scope, options);
    adminRoutes(scope, options);
    adminUserRoutes(scope, options);
    adminFrontRoutes(scope, options);
  });
}
