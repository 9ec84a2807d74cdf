import { errorDescription } from '../../lib/error-description.js';
import { resultMessage, type ResultCode } from '../../wire/result-codes.js';
import { DPOP_ALGS } from '../dpop/dpop-proof.js';

const quote = (v: string) => `"${v.replace(/[\\"]/g, '')}"`;

function challenge(scheme: string, params: Record<string, string>): string {
  return `${scheme} ${Object.entries(params).map(([k, v]) => `${k}=${quote(v)}`).join(',')}`;
}

/** An RFC 6750 §3 `WWW-Authenticate` value, as Authlete's bearer-style APIs put in responseContent. */
export function bearerChallenge(error: string, code: ResultCode, extra: Record<string, string> = {}): string {
  return challenge('Bearer', { error, error_description: errorDescription(resultMessage(code)), ...extra });
}

/** An RFC 9449 §7.1 `WWW-Authenticate: DPoP` value; `algs` names the proof algorithms accepted. */
export function dpopChallenge(error: string, code: ResultCode, detail?: string): string {
  return challenge('DPoP', { error, error_description: errorDescription(resultMessage(code, detail)), algs: DPOP_ALGS.join(' ') });
}
