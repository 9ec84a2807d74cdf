import { codes } from '../../../wire/result-codes.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';

export type HintType = 'LOGIN_HINT' | 'ID_TOKEN_HINT' | 'LOGIN_HINT_TOKEN';

const HINTS: [string, HintType][] = [
  ['login_hint', 'LOGIN_HINT'],
  ['id_token_hint', 'ID_TOKEN_HINT'],
  ['login_hint_token', 'LOGIN_HINT_TOKEN'],
];

/** CIBA §7.1: exactly one of login_hint, id_token_hint and login_hint_token. */
export function checkHints(parameters: ReadonlyMap<string, unknown>): { hintType: HintType; hint: string } | Refusal {
  const present = HINTS.filter(([name]) => {
    const value = parameters.get(name);
    return value !== undefined && value !== '';
  });
  if (present.length === 0) return refuse('invalid_request', codes.bcNoHint);
  if (present.length > 1) return refuse('invalid_request', codes.bcMultipleHints);
  const [name, hintType] = present[0]!;
  const hint = parameters.get(name);
  if (typeof hint !== 'string' || hint.length > 8192) return refuse('invalid_request', codes.bcMalformedParameters, `The '${name}' must be a string of at most 8192 characters.`);
  return { hintType, hint };
}
