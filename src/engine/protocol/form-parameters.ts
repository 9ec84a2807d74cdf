import { echoed } from '../../lib/error-description.js';

/** The most a client's form body may hold; a signed request object fits well within. */
export const MAX_PARAMETERS_LENGTH = 64 * 1024;

/** Parameter name → value; only parameters that may repeat (RFC 8707 `resource`) hold arrays. */
export type FormParameters = Map<string, string | string[]>;

const REPEATABLE = new Set(['resource']);

/**
 * Parses the client's raw `application/x-www-form-urlencoded` body. A parameter sent twice is
 * an error (RFC 6749 §3.1, §3.2); so is anything that is not form encoding.
 */
export function parseFormParameters(text: string): FormParameters | string {
  if (text.length > MAX_PARAMETERS_LENGTH) return `the parameters exceed ${MAX_PARAMETERS_LENGTH} characters`;
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return 'the parameters contain control characters';
  const result: FormParameters = new Map();
  let search: URLSearchParams;
  try {
    search = new URLSearchParams(text);
  } catch {
    return 'the parameters are not form encoded';
  }
  for (const [name, value] of search) {
    const previous = result.get(name);
    if (previous !== undefined) {
      if (!REPEATABLE.has(name)) return `the parameter '${echoed(name)}' is included more than once`;
      result.set(name, [...(Array.isArray(previous) ? previous : [previous]), value]);
      continue;
    }
    if (value.includes('\uFFFD') && !text.includes('%EF%BF%BD') && !text.includes('\uFFFD')) {
      return `the parameter '${echoed(name)}' is not valid UTF-8`;
    }
    result.set(name, value);
  }
  return result;
}

export function toSearchParams(parameters: FormParameters): URLSearchParams {
  const search = new URLSearchParams();
  for (const [name, value] of parameters) for (const v of Array.isArray(value) ? value : [value]) search.append(name, v);
  return search;
}

/** A single-valued parameter as a string, or undefined. */
export function single(parameters: ReadonlyMap<string, unknown>, name: string): string | undefined {
  const value = parameters.get(name);
  return typeof value === 'string' ? value : undefined;
}
