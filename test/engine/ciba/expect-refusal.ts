import { expect } from 'vitest';
import { isOAuthError, type OAuthError } from '../../../src/engine/protocol/oauth-error.js';

/**
 * A step's refusal, checked field by field: the OAuth `error`, Authlete's result code, the
 * description the client and the API caller see (`[code] text`) and the HTTP status.
 */
export function expectRefusal(result: unknown, error: string, resultCode: string, text: string, status: OAuthError['status'] = 400): void {
  expect(isOAuthError(result), `expected a refusal, got ${JSON.stringify(result)}`).toBe(true);
  const refusal = result as OAuthError;
  expect({ error: refusal.error, code: refusal.code?.code, description: refusal.description, status: refusal.status }).toEqual({
    error,
    code: resultCode,
    description: `[${resultCode}] ${text}`,
    status,
  });
}
