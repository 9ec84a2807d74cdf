import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorizeForService, identifyApiCaller, requireOrganization } from '../../engine/access/api-callers.js';
import { apiErrors, isApiError } from '../../engine/api-error.js';
import type { ApiOptions } from '../api-context.js';
import { sendApiError } from './api-error-reply.js';

export type Scope = 'organization' | 'service' | 'any';

/**
 * Authenticates the caller before anything else is read: 401 for a missing or unknown token,
 * 403 for a token of another service or a service token on an organization-wide operation.
 */
export function callerHook(options: ApiOptions, scope: Scope) {
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
      const raw = (request.params as { serviceId?: string }).serviceId ?? '';
      if (!/^[0-9]{1,15}$/.test(raw)) return sendApiError(request, reply, apiErrors.serviceNotFound(raw.slice(0, 32)));
      const denied = authorizeForService(caller, Number(raw));
      if (denied) return sendApiError(request, reply, denied);
    }
    return undefined;
  };
}

export function serviceIdOf(request: FastifyRequest): number {
  return Number((request.params as { serviceId: string }).serviceId);
}
