import type { ResultCode } from '../../wire/result-codes.js';
import { resultMessage } from '../../wire/result-codes.js';

/**
 * The OAuth error JSON relayed to the client (reference §1.5). `error_description` carries the
 * result message unless the service omits descriptions. `error_uri` is not emitted: Authlete's
 * points at its own documentation, which has no page for codes of our own.
 */
export function oauthErrorContent(
  error: string,
  code: ResultCode,
  options: { omitDescription?: boolean; detail?: string; extra?: Record<string, unknown> } = {},
): string {
  const body: Record<string, unknown> = { error };
  if (!options.omitDescription) body.error_description = resultMessage(code, options.detail);
  return JSON.stringify({ ...body, ...options.extra });
}
