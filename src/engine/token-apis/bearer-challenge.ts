import { errorDescription } from '../../lib/error-description.js';
import { resultMessage, type ResultCode } from '../../wire/result-codes.js';

/** An RFC 6750 §3 `WWW-Authenticate` value, as Authlete's bearer-style APIs put in responseContent. */
export function bearerChallenge(error: string, code: ResultCode, extra: Record<string, string> = {}): string {
  const quote = (v: string) => `"${v.replace(/[\\"]/g, '')}"`;
  const params = { error, error_description: errorDescription(resultMessage(code)), ...extra };
  return `Bearer ${Object.entries(params).map(([k, v]) => `${k}=${quote(v)}`).join(',')}`;
}
