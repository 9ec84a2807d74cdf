import type { ApiCaller } from '../../engine/access/api-callers.js';
import { isApiError } from '../../engine/api-error.js';
import type { HeldTickets } from '../../engine/ciba/held-tickets.js';
import type { EngineContext } from '../../engine/context.js';
import { engineOperations } from './engine-operations.js';
import { clientPlaceholderOf, pathValueOf, type OperationName, type OperationSpec, type RequestOf } from '../operation-spec.js';
import { clientIdOfPath } from './path-ids.js';
import { checkedBody, checkedQuery } from './request-checks.js';

export interface OperationCall {
  /** The service of the path, already checked (serviceIdOfPath); 0 for organization-wide operations. */
  serviceId: number;
  caller: ApiCaller;
  held?: HeldTickets | undefined;
  /**
   * Check the body and query against their wire schemas, as the HTTP route's validation does.
   * The route itself has validated them already; the trusted in-process caller skips them.
   */
  check: boolean;
}

function bodyOf<K extends OperationName>(member: string, request: RequestOf<K>): unknown {
  return member === 'self' ? request : (request as Record<string, unknown>)[member];
}

function withBody<K extends OperationName>(member: string, request: RequestOf<K>, body: unknown): RequestOf<K> {
  return (member === 'self' ? body : { ...request, [member]: body }) as RequestOf<K>;
}

/**
 * One operation of the table on the engine, after what the HTTP route does before its handler:
 * the body and query checked, then the client of the path resolved. The answer is the engine's
 * value or an ApiError; exceptions are left to the caller (the HTTP API's 500).
 */
export async function runOperation<K extends OperationName>(ctx: EngineContext, name: K, spec: OperationSpec<K>, given: RequestOf<K> | undefined, call: OperationCall): Promise<unknown> {
  let request = (given ?? {}) as RequestOf<K>;
  if (spec.body) {
    const body = bodyOf(spec.body.member, request);
    if (call.check) {
      const checked = checkedBody(spec.body.schema, body);
      if (isApiError(checked)) return checked;
      request = withBody(spec.body.member, request, checked);
    } else if (body === undefined || body === null) {
      request = withBody(spec.body.member, request, {});
    }
  }
  if (call.check && spec.query) {
    const invalid = checkedQuery(spec.query, request);
    if (invalid) return invalid;
  }
  let clientId = 0;
  const client = clientPlaceholderOf(spec.path);
  if (client) {
    const resolved = await clientIdOfPath(ctx, call.serviceId, pathValueOf(request, client) ?? '');
    if (isApiError(resolved)) return resolved;
    clientId = resolved;
  }
  return engineOperations[name](ctx, request, { serviceId: call.serviceId, clientId, caller: call.caller, held: call.held });
}
