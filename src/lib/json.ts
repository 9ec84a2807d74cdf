/**
 * The most levels of arrays and objects that JSON from a caller may nest: request bodies and
 * JSON carried in parameters. Nothing in the API needs more than a handful; the bound keeps
 * every later walk over the value (ours, the validator's, JSON.stringify's) far from the stack's
 * limit.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests arrays and objects deeper than `limit`. One pass over the text, before
 * it is parsed, so refusing a deep body costs no more than reading it. Brackets inside strings do
 * not count; text that is not JSON at all is left to the parser to refuse.
 */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

type Container = Record<string, unknown> | unknown[];

/**
 * Returns a copy without `null`/`undefined` members (recursively): the official SDK's
 * schemas reject nulls, and Authlete omits absent fields. It walks with a list of containers
 * still to copy rather than by recursion, so no input, however deep, can overflow the stack.
 */
export function withoutNulls<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  const pending: [source: Container, target: Container][] = [];
  const root = copyShell(value as Container, pending);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [source, target] = next;
    if (Array.isArray(source)) {
      for (const item of source) if (item !== null && item !== undefined) (target as unknown[]).push(copyShell(item, pending));
      continue;
    }
    // Own enumerable string keys, as Object.entries gives them, without its pair arrays (this runs
    // on every answer the engine builds).
    for (const key in source) {
      if (!Object.hasOwn(source, key)) continue;
      const member = source[key];
      if (member !== null && member !== undefined) (target as Record<string, unknown>)[key] = copyShell(member, pending);
    }
  }
  return root as T;
}

/** A scalar as is; for an array or object, an empty one that is filled when its turn comes. */
function copyShell(value: unknown, pending: [Container, Container][]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const shell: Container = Array.isArray(value) ? [] : {};
  pending.push([value as Container, shell]);
  return shell;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
