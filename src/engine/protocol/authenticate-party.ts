import type { EngineContext } from '../context.js';
import { authenticateClient } from '../client-auth/authenticate-client.js';
import { codes, type ResultCode } from '../../wire/result-codes.js';
import { toSearchParams, type FormParameters } from './form-parameters.js';
import { clientAuthContext, type ClientParty, type ServiceParty } from './parties.js';
import type { ClientAuthEndpoint } from '../services/service-settings.js';
import { isOAuthError, refuse, type Refusal } from './oauth-error.js';

/** The client-credential fields every Authlete API that relays a client request carries. */
export interface RelayedCredentials {
  clientId?: string;
  clientSecret?: string;
  clientCertificate?: string;
  clientCertificatePath?: string[];
}

export interface AuthenticatedParty {
  party: ClientParty;
  method: string;
}

/**
 * Authenticates the client of a relayed request with its registered method. A failure is a 401
 * `invalid_client` (the endpoint's answer names its action); a malformed attempt (two methods
 * at once) is a plain invalid_request.
 */
export async function authenticateParty(
  ctx: EngineContext,
  service: ServiceParty,
  credentials: RelayedCredentials,
  form: FormParameters,
  options: { audiences: unknown[]; code: ResultCode; endpoint?: ClientAuthEndpoint },
): Promise<AuthenticatedParty | Refusal> {
  const authCtx = clientAuthContext(ctx, service, options.audiences.filter((a): a is string => typeof a === 'string'), options.endpoint);
  const result = await authenticateClient(
    {
      ...(credentials.clientId !== undefined ? { clientId: credentials.clientId } : {}),
      ...(credentials.clientSecret !== undefined ? { clientSecret: credentials.clientSecret } : {}),
      ...(credentials.clientCertificate !== undefined ? { clientCertificate: credentials.clientCertificate } : {}),
      ...(credentials.clientCertificatePath !== undefined ? { clientCertificatePath: credentials.clientCertificatePath } : {}),
      parameters: toSearchParams(form),
    },
    authCtx,
  );
  if (isOAuthError(result)) {
    return result.status === 400
      ? refuse(result.error, options.code, result.description)
      : refuse('invalid_client', options.code, result.description, 401);
  }
  const party = authCtx.clients.get(result.client.clientId);
  if (!party) return refuse('server_error', codes.tokenServerError, undefined, 500);
  return { party, method: result.method };
}
