import type { EngineContext } from '../engine/context.js';
import type { ApiCaller } from '../engine/access/api-callers.js';

export interface ApiOptions {
  engine: EngineContext;
  /** OPENCIBA_ADMIN_TOKEN, when configured. */
  adminToken: string | undefined;
  bodyLimit: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    apiCaller?: ApiCaller;
  }
}
