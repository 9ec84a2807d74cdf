import type { EngineContext } from '../context.js';
import { ApiError, apiErrors } from '../api-error.js';
import { forgetClient } from '../cache/party-caches.js';
import { codes, resultMessage, type ResultCode } from '../../wire/result-codes.js';
import type { ClientSecretRefreshResponse } from '../../wire/client-secret-types.js';
import { newSealedClientSecret } from './client-operations.js';

// Authlete's /client/secret/refresh and /client/secret/update. The new secret is sealed at rest
// like every client secret, and the old one stops working at once on this node (the party cache
// entry is dropped) and within the party cache's lifetime on the others.
//
// A client whose token auth method uses no secret (private_key_jwt, tls_client_auth, none) still
// gets its secret replaced, as on Authlete: every client has one (client/create makes it), and it
// is the one that counts if the method is later switched to client_secret_basic/post/jwt.

/** The official SDK documents the member as `A-Z a-z 0-9 - _`, at most 86 characters; empty is refused (Authlete is silent; a secret needs one character at least). */
const SECRET_SYNTAX = /^[A-Za-z0-9_-]{1,86}$/;

async function replaceSecret(ctx: EngineContext, serviceId: number, clientId: number, sealed: string, done: ResultCode): Promise<ClientSecretRefreshResponse | ApiError> {
  if (!(await ctx.store.getService(serviceId))) return apiErrors.serviceNotFound(String(serviceId));
  const record = await ctx.store.getClient(serviceId, clientId);
  if (!record) return apiErrors.clientNotFound(String(clientId));
  const replaced = await ctx.store.replaceClientSecret(serviceId, clientId, sealed, ctx.clock.now());
  forgetClient(ctx.store, serviceId, clientId);
  if (!replaced) return apiErrors.clientNotFound(String(clientId));
  return {
    resultCode: done.code,
    resultMessage: resultMessage(done),
    newClientSecret: ctx.keyring.open(sealed),
    oldClientSecret: ctx.keyring.open(record.secretSealed),
  };
}

/** A new random secret, made as client/create makes one. */
export function refreshClientSecret(ctx: EngineContext, serviceId: number, clientId: number): Promise<ClientSecretRefreshResponse | ApiError> {
  return replaceSecret(ctx, serviceId, clientId, newSealedClientSecret(ctx), codes.clientSecretRefreshOk);
}

/** The caller's secret, when it has Authlete's syntax; the 400 otherwise (the value is never echoed back). */
export async function updateClientSecret(ctx: EngineContext, serviceId: number, clientId: number, clientSecret: unknown): Promise<ClientSecretRefreshResponse | ApiError> {
  if (typeof clientSecret !== 'string' || !SECRET_SYNTAX.test(clientSecret)) {
    return new ApiError(400, codes.clientSecretMalformed.code, codes.clientSecretMalformed.text);
  }
  return replaceSecret(ctx, serviceId, clientId, ctx.keyring.seal(clientSecret), codes.clientSecretUpdateOk);
}
