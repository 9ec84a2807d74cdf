import { apiErrors, isApiError, type ApiError } from '../engine/api-error.js';
import type { ApiCaller } from '../engine/access/api-callers.js';
import { HeldTickets } from '../engine/ciba/held-tickets.js';
import type { EngineContext } from '../engine/context.js';
import { apiOperations } from './api-operations.js';
import { OpenCibaApiError } from './errors.js';
import type { OpenCibaApi } from './openciba-api.js';
import { apiFromTable, clientPlaceholderOf, messagePathOf, pathParamsOf, pathValueOf, type ResponseOf } from './operation-spec.js';
import { serviceIdOfPath } from './in-process/path-ids.js';
import { runOperation } from './in-process/run-operation.js';
import { projectOnto } from './wire-projection.js';

function toApiError(error: ApiError, apiPath: string): OpenCibaApiError {
  return new OpenCibaApiError(error.status, error.resultCode, error.message(apiPath));
}

/**
 * The API in-process, on the engine directly: no HTTP and no caller authentication (whoever
 * holds the EngineContext is trusted as the organization), otherwise the same answers as the
 * HTTP API gives — the same bodies, and for API-level failures the same status, resultCode
 * and resultMessage, thrown as `OpenCibaApiError`.
 */
export interface InProcessOptions {
  /**
   * For OpenCIBA's own front only: its requests are well-formed by construction and it only
   * reads the answers, so the wire checks and the defensive copies are skipped (they cost
   * about 5% of a flow), and the tickets of /backchannel/authentication are held in memory
   * until its /issue or /fail (engine/ciba/held-tickets.ts). Everyone else gets exactly what the
   * HTTP API would send, and stored tickets.
   */
  trustedCaller?: boolean;
}

const ORGANIZATION: ApiCaller = { kind: 'organization' };

export function createInProcessApi(ctx: EngineContext, options: InProcessOptions = {}): OpenCibaApi {
  const trusted = options.trustedCaller === true;
  const held = trusted ? new HeldTickets() : undefined;

  return apiFromTable(apiOperations, (name, spec) => {
    const params = pathParamsOf(spec.path);
    const hasServiceId = params.includes('serviceId');
    const client = clientPlaceholderOf(spec.path);
    // The answer as the HTTP API would have sent it: projected onto the wire schema the route
    // serializes with, when it has one.
    const projection = spec.response !== undefined && spec.jsonText !== true ? spec.response : undefined;
    const empty = spec.noContent === 'empty-object' ? () => ({}) : () => undefined;
    const fixedPath = client ? undefined : messagePathOf(spec.path);

    return async (request) => {
      const apiPath = fixedPath ?? messagePathOf(spec.path, String(pathValueOf(request, client!)));
      let result: unknown;
      try {
        const serviceId = hasServiceId ? serviceIdOfPath(String(pathValueOf(request, 'serviceId'))) : 0;
        result = isApiError(serviceId) ? serviceId : await runOperation(ctx, name, spec, request, { serviceId, caller: ORGANIZATION, held, check: !trusted });
        // Like an HTTP answer (server/audit/answer-barrier.ts), an answer follows its audit events
        // to disk. OpenCIBA's own front answers over HTTP, and waits there once for all its calls.
        if (!trusted) await ctx.audit.settled();
      } catch (error) {
        const failure = apiErrors.serverError();
        throw new OpenCibaApiError(failure.status, failure.resultCode, failure.message(apiPath), { cause: error });
      }
      if (isApiError(result)) throw toApiError(result, apiPath);
      if (result === undefined) return empty() as ResponseOf<typeof name>;
      if (trusted) return result as ResponseOf<typeof name>;
      const plain: unknown = JSON.parse(JSON.stringify(result));
      return (projection === undefined ? plain : projectOnto(projection, plain)) as ResponseOf<typeof name>;
    };
  });
}
