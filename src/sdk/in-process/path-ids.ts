import { apiErrors, type ApiError } from '../../engine/api-error.js';
import { resolveClientId } from '../../engine/clients/client-id-alias.js';
import type { EngineContext } from '../../engine/context.js';

// Ids in API paths are 1–15 digits; anything else names no service.
const NUMERIC_ID = /^[0-9]{1,15}$/;

/** The service id of a path, or the 404 for one that cannot exist. Both the API's caller hook and the in-process SDK use it. */
export function serviceIdOfPath(raw: string): number | ApiError {
  const text = String(raw);
  return NUMERIC_ID.test(text) ? Number(text) : apiErrors.serviceNotFound(text.slice(0, 32));
}

/** The client of a path: a numeric id, or a custom alias resolved; the 404 when there is none. */
export async function clientIdOfPath(ctx: EngineContext, serviceId: number, raw: string): Promise<number | ApiError> {
  const text = String(raw);
  return (await resolveClientId(ctx, serviceId, text)) ?? apiErrors.clientNotFound(text.slice(0, 32));
}
