import { isPlainObject } from '../lib/json.js';
import { authleteSchemas, type JsonSchema } from '../wire/schemas.js';

// The HTTP API serializes each answer with its wire schema (Fastify's fast-json-stringify), which
// leaves out members the schema does not declare. The in-process API does the same here, so that
// an engine member outside Authlete's schema cannot make the two implementations differ.

function resolve(schema: JsonSchema): JsonSchema | undefined {
  return schema.$ref === undefined ? schema : authleteSchemas[schema.$ref.replace(/#$/, '')];
}

function project(schema: JsonSchema | undefined, value: unknown): unknown {
  const resolved = schema && resolve(schema);
  if (!resolved) return value;
  if (Array.isArray(value)) return resolved.items ? value.map((item) => project(resolved.items, item)) : value;
  if (!isPlainObject(value) || !resolved.properties) return value;
  const declared = resolved.properties;
  const out: Record<string, unknown> = resolved.additionalProperties === true ? { ...value } : {};
  for (const [member, memberSchema] of Object.entries(declared)) {
    if (value[member] !== undefined) out[member] = project(memberSchema, value[member]);
  }
  return out;
}

/** `value` with only the members the named wire schema declares (recursively), as the HTTP API sends it. */
export function projectOnto<T>(schemaName: string, value: T): T {
  return project(authleteSchemas[schemaName], value) as T;
}
