import generated from './authlete-schemas.json' with { type: 'json' };
import { clientSecretSchemas } from './client-secret-types.js';

export interface JsonSchema {
  $id?: string;
  type?: string | string[];
  enum?: string[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  readOnly?: boolean;
  $ref?: string;
  additionalProperties?: boolean | JsonSchema;
}

interface SchemaFile {
  openapiVersion: string;
  schemas: Record<string, JsonSchema>;
}

// Generated from the reference OpenAPI extract by scripts/gen-wire-schemas.mjs.
const file = generated as unknown as SchemaFile;

export const AUTHLETE_OPENAPI_VERSION = file.openapiVersion;
// The generated schemas, and those of the operations the reference extract leaves out.
export const authleteSchemas: Readonly<Record<string, JsonSchema>> = { ...file.schemas, ...clientSecretSchemas };

export function schemaOf(name: string): JsonSchema {
  const schema = authleteSchemas[name];
  if (!schema) throw new Error(`no wire schema named ${name}`);
  return schema;
}

/** The writable (not read-only) top-level members of a wire object. */
export function writableMembers(name: string): string[] {
  return Object.entries(schemaOf(name).properties ?? {})
    .filter(([, s]) => s.readOnly !== true)
    .map(([k]) => k);
}

/** Keeps only the members a wire schema knows. */
export function pickMembers(input: Record<string, unknown>, members: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const member of members) {
    if (input[member] !== undefined && input[member] !== null) out[member] = input[member];
  }
  return out;
}
