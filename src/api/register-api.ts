import type { FastifyInstance } from 'fastify';
import { authleteSchemas } from '../wire/schemas.js';
import { withoutNulls } from '../lib/json.js';
import type { ApiOptions } from './api-context.js';
import { installApiErrorHandling } from './http/error-handler.js';
import { adminAuthenticatorRoutes } from './routes/admin-authenticator-routes.js';
import { installAdminChangeAudit } from './http/admin-change-hook.js';
import { adminAuditRoutes } from './routes/admin-audit-routes.js';
import { adminFrontRoutes } from './routes/admin-front-routes.js';
import { adminKeyRoutes } from './routes/admin-key-routes.js';
import { adminRequestRoutes } from './routes/admin-request-routes.js';
import { adminRoutes } from './routes/admin-routes.js';
import { adminSubjectRoutes } from './routes/admin-subject-routes.js';
import { adminUserRoutes } from './routes/admin-user-routes.js';
import { operationRoutes } from './routes/operation-routes.js';

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
    installAdminChangeAudit(scope, options.engine.audit);
    operationRoutes(scope, options);
    adminRoutes(scope, options);
    adminUserRoutes(scope, options);
    adminSubjectRoutes(scope, options);
    adminFrontRoutes(scope, options);
    adminKeyRoutes(scope, options);
    adminRequestRoutes(scope, options);
    adminAuthenticatorRoutes(scope, options);
    adminAuditRoutes(scope, options);
  });
}
