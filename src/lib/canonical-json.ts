/**
 * A deterministic JSON text in the manner of RFC 8785 (JCS): object members sorted by key (UTF-16
 * code units, as JCS says), no whitespace, ECMAScript number and string serialisation. Enough for
 * JSON that came from JSON (no undefined, functions or non-finite numbers reach here).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
