/**
 * Returns a copy without `null`/`undefined` members (recursively): the official SDK's
 * schemas reject nulls, and Authlete omits absent fields.
 */
export function withoutNulls<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) if (item !== null && item !== undefined) items.push(withoutNulls(item));
    return items as T;
  }
  // Own enumerable string keys, as Object.entries gives them, without its pair arrays (this runs
  // on every answer the engine builds).
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const member = (value as Record<string, unknown>)[key];
    if (member === null || member === undefined) continue;
    out[key] = typeof member === 'object' ? withoutNulls(member) : member;
  }
  return out as T;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
