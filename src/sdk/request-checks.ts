import { apiErrors, type ApiError } from '../engine/api-error.js';
import { isPlainObject, withoutNulls } from '../engine/wire/json.js';
import { authleteSchemas, schemaOf, type JsonSchema } from '../engine/wire/schemas.js';

// The in-process API gets no HTTP validation, so it checks a request body against the same
// wire schema the HTTP route validates with (types, enums, nested `required`), and answers a
// mismatch with the same 400 A001201. Unlike the HTTP route it does not coerce ("5" → 5):
// typed callers send the right types, and a wrong one is worth hearing about.

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function resolve(schema: JsonSchema): JsonSchema | undefined {
  if (schema.$ref === undefined) return schema;
  return authleteSchemas[schema.$ref.replace(/#$/, '')];
}

function problemIn(schema: JsonSchema | undefined, value: unknown, where: string, topLevel: boolean): string | undefined {
  const resolved = schema && resolve(schema);
  if (!resolved) return undefined;
  if (resolved.type !== undefined) {
    const allowed = Array.isArray(resolved.type) ? resolved.type : [resolved.type];
    const actual = typeOf(value);
    const fits = allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
    if (!fits) return `${where || 'body'} must be ${allowed.join(' or ')}`;
  }
  if (resolved.enum && !resolved.enum.includes(value as string)) return `${where || 'body'} must be one of ${resolved.enum.join(', ')}`;
  if (Array.isArray(value) && resolved.items) {
    for (const [index, item] of value.entries()) {
      const problem = problemIn(resolved.items, item, `${where}/${index}`, false);
      if (problem) return problem;
    }
  }
  if (isPlainObject(value)) {
    // Action-style bodies are checked without their top-level `required`: Authlete answers a
    // missing member with an action, not a 400 (reference §1.2, §15 #1).
    if (!topLevel) {
      for (const member of resolved.required ?? []) if (value[member] === undefined) return `${where}/${member} is required`;
    }
    for (const [member, memberSchema] of Object.entries(resolved.properties ?? {})) {
      if (value[member] === undefined) continue;
      const problem = problemIn(memberSchema, value[member], `${where}/${member}`, false);
      if (problem) return problem;
    }
  }
  return undefined;
}

/**
 * The body as the HTTP route would hand it to the engine (`null` members dropped, absent body
 * = `{}`), or the 400 the route would answer.
 */
export function checkedBody<T>(schemaName: string, body: T | undefined): T | ApiError {
  const value = body === undefined || body === null ? {} : withoutNulls(body);
  const problem = problemIn(schemaOf(schemaName), value, '', true);
  return problem ? apiErrors.badRequest(`The body is invalid: ${problem}.`) : (value as T);
}

/** Paging as `?start=&end=` is validated on the HTTP route: integers from 0 to 1 000 000. */
export function checkedPaging(query: { start?: number; end?: number }): ApiError | undefined {
  for (const name of ['start', 'end'] as const) {
    const value = query[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 1_000_000)) {
      return apiErrors.badRequest(`The querystring is invalid: '${name}' must be an integer from 0 to 1000000.`);
    }
  }
  return undefined;
}
