import { apiErrors, type ApiError } from '../../engine/api-error.js';
import { isPlainObject, withoutNulls } from '../../lib/json.js';
import { authleteSchemas, schemaOf, type JsonSchema } from '../../wire/schemas.js';
import type { QuerySchema } from '../operation-spec.js';

// The in-process API has no HTTP route in front, so it does here what the route's validation
// does (src/server/app.ts: Ajv with `coerceTypes: 'array'`) against the same wire schema:
// coerce scalars the way Ajv does ("5" → 5, "x" → ["x"]), then check types, enums and nested
// `required`. A mismatch is the same 400 A001201; only the wording of the message differs.

type Checked = { value: unknown } | { problem: string };

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

const NO_COERCION = Symbol('none');

/** Ajv's scalar coercions to one type, or NO_COERCION. */
function coerceScalar(value: unknown, type: string): unknown {
  switch (type) {
    case 'string':
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : NO_COERCION;
    case 'number':
    case 'integer': {
      const number = typeof value === 'boolean' ? Number(value) : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      return Number.isNaN(number) || (type === 'integer' && !Number.isInteger(number)) ? NO_COERCION : number;
    }
    case 'boolean':
      if (value === 'true' || value === 1) return true;
      if (value === 'false' || value === 0) return false;
      return NO_COERCION;
    default:
      return NO_COERCION;
  }
}

function fitsType(value: unknown, allowed: string[]): boolean {
  const actual = typeOf(value);
  return allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
}

function check(schema: JsonSchema | undefined, input: unknown, where: string, topLevel: boolean): Checked {
  const resolved = schema && resolve(schema);
  if (!resolved) return { value: input };
  let value = input;
  const name = where || 'body';

  if (resolved.type !== undefined) {
    const allowed = Array.isArray(resolved.type) ? resolved.type : [resolved.type];
    if (!fitsType(value, allowed)) {
      let coerced: unknown = NO_COERCION;
      // `coerceTypes: 'array'`: a one-element array stands for its element, a scalar for a one-element array.
      const scalar = Array.isArray(value) && value.length === 1 && !allowed.includes('array') ? value[0] : value;
      if (fitsType(scalar, allowed)) coerced = scalar;
      for (const type of allowed) {
        if (coerced !== NO_COERCION) break;
        coerced = coerceScalar(scalar, type);
      }
      if (coerced === NO_COERCION && allowed.includes('array') && !Array.isArray(value)) coerced = [value];
      if (coerced === NO_COERCION) return { problem: `${name} must be ${allowed.join(' or ')}` };
      value = coerced;
    }
  }
  if (resolved.enum && !resolved.enum.includes(value as string)) return { problem: `${name} must be one of ${resolved.enum.join(', ')}` };

  if (Array.isArray(value) && resolved.items) {
    const items: unknown[] = [];
    for (const [index, item] of value.entries()) {
      const checked = check(resolved.items, item, `${where}/${index}`, false);
      if ('problem' in checked) return checked;
      items.push(checked.value);
    }
    value = items;
  }
  if (isPlainObject(value)) {
    // Action-style bodies are checked without their top-level `required`: Authlete answers a
    // missing member with an action, not a 400 (reference §1.2, §15 #1).
    if (!topLevel) {
      for (const member of resolved.required ?? []) if (value[member] === undefined) return { problem: `${where}/${member} is required` };
    }
    const members: Record<string, unknown> = { ...value };
    for (const [member, memberSchema] of Object.entries(resolved.properties ?? {})) {
      if (members[member] === undefined) continue;
      const checked = check(memberSchema, members[member], `${where}/${member}`, false);
      if ('problem' in checked) return checked;
      members[member] = checked.value;
    }
    value = members;
  }
  return { value };
}

/**
 * The body as the HTTP route would hand it to the engine (`null` members dropped, absent body
 * = `{}`, scalars coerced), or the 400 the route would answer.
 */
export function checkedBody<T>(schemaName: string, body: T | undefined): T | ApiError {
  const value = body === undefined || body === null ? {} : withoutNulls(body);
  const checked = check(schemaOf(schemaName), value, '', true);
  return 'problem' in checked ? apiErrors.badRequest(`The body is invalid: ${checked.problem}.`) : (checked.value as T);
}

/**
 * The query members the HTTP route validates with their schema (api-operations.ts): integers
 * within bounds, strings up to a length. Booleans are not checked: only `true` counts.
 */
export function checkedQuery(schemas: Readonly<Record<string, QuerySchema | undefined>>, request: object): ApiError | undefined {
  for (const [name, schema] of Object.entries(schemas)) {
    const value: unknown = (request as Record<string, unknown>)[name];
    if (value === undefined || schema === undefined) continue;
    if (schema.type === 'integer' && (typeof value !== 'number' || !Number.isInteger(value) || value < schema.minimum || value > schema.maximum)) {
      return apiErrors.badRequest(`The querystring is invalid: '${name}' must be an integer from ${schema.minimum} to ${schema.maximum}.`);
    }
    if (schema.type === 'string' && (typeof value !== 'string' || value.length > schema.maxLength)) {
      return apiErrors.badRequest(`The querystring is invalid: '${name}' must be a string of at most ${schema.maxLength} characters.`);
    }
  }
  return undefined;
}
