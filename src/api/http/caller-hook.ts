import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorizeForService, identifyApiCaller, requireOrganization } from '../../engine/access/api-callers.js';
import { isApiError } from '../../engine/api-error.js';
import type { CallerScope } from '../../sdk/operation-spec.js';
import { serviceIdOfPath } from '../../sdk/in-process/path-ids.js';
import type { ApiOptions } from '../api-context.js';
import { sendApiError } from './api-error-reply.js';

/**
 * Authenticates the caller before anything else is read: 401 for a missing or unknown token,
 * 403 for a token of another service or a service token on an organization-wide operation.
 */
export function callerHook(options: ApiOptions, scope: CallerScope) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const caller = await identifyApiCaller(options.engine, request.headers.authorization, options.adminToken);
    if (isApiError(caller)) {
      reply.header('www-authenticate', 'Bearer realm="openciba"');
      return sendApiError(request, reply, caller);
    }
    request.apiCaller = caller;
    if (scope === 'organization') {
      const denied = requireOrganization(caller);
      if (denied) return sendApiError(request, reply, denied);
    } else if (scope === 'service') {
      const serviceId = serviceIdOfPath((request.params as { serviceId?: string }).serviceId ?? '');
      if (isApiError(serviceId)) return sendApiError(request, reply, serviceId);
      const denied = authorizeForService(caller, serviceId);
      if (denied) return sendApiError(request, reply, denied);
      request.apiServiceId = serviceId;
    }
    return undefined;
  };
}

export function serviceIdOf(request: FastifyRequest): number {
  return Number((request.params as { serviceId: string }).serviceId);
}
