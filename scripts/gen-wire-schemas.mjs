// Derives the JSON Schemas of Authlete's wire objects from the OpenAPI extract in
// ../shared/reference, keeping only what validation and serialization need (types,
// enums, required, $refs) and none of the prose. Run: npm run gen:schemas
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const source = process.argv[2] ?? join(here, '../../shared/reference/authlete-ciba-openapi.yaml');
const doc = parse(readFileSync(source, 'utf8'));

const KEEP = new Set(['type', 'enum', 'required', 'properties', 'items', 'additionalProperties', 'readOnly']);

function convert(node) {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    return { $ref: `${node.$ref.replace('#/components/schemas/', '')}#` };
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (!KEEP.has(key)) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]));
    } else if (key === 'required') {
      out.required = [...value];
    } else {
      out[key] = convert(value);
    }
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

const schemas = {};
for (const [name, schema] of Object.entries(doc.components.schemas)) {
  schemas[name] = { $id: name, ...convert(schema) };
}
const target = join(here, '../src/wire/authlete-schemas.json');
writeFileSync(target, JSON.stringify({ openapiVersion: doc.info.version, schemas }, null, 1) + '\n');
console.log(`wrote ${Object.keys(schemas).length} schemas to ${target}`);
