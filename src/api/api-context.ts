import type { EngineContext } from '../engine/context.js';
import type { ApiCaller } from '../engine/access/api-callers.js';
import type { ApiError } from '../engine/api-error.js';
import type { FrontStore } from '../store/ports.js';

export interface ApiOptions {
  engine: EngineContext;
  /** The front's tables (users, settings, notifications), for OpenCIBA's administration routes. */
  frontStore: FrontStore;
  /** OPENCIBA_ADMIN_TOKEN, when configured. */
  adminToken: string | undefined;
  bodyLimit: number;
  /**
   * Why the front's administration routes cannot act on a service: undefined when it exists (in
   * the local store, or at the remote engine when the front runs apart from it), else
   * `serviceNotFound`, or `badGateway` when a remote engine could not be asked — an unreachable
   * engine is not a missing service, and a lock must not be answered as if the service were gone.
   */
  serviceUnavailable(serviceId: number): Promise<ApiError | undefined>;
  /**
   * For a front whose engine runs apart (OPENCIBA_ENGINE_URL): revokes a locked or deleted
   * user's tokens and approved requests in the engine's database, where they live. Undefined
   * when it succeeded, else why not (the caller answers 502). Absent when the engine is in-process.
   */
  revokeAtEngine?: (serviceId: number, subject: string) => Promise<string | undefined>;
  /** Whether this server was started with an embedded authentication device (the `embedded` channel). */
  embeddedDevice?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    apiCaller?: ApiCaller;
    /** The service id of the path, once the caller hook has checked it and the caller's right to it. */
    apiServiceId?: number;
  }
}
