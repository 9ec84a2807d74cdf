import type { FastifyRequest } from 'fastify';
import type { JsonSchema } from '../../wire/schemas.js';

/**
 * In form-encoded API calls an array member is a space-separated string (Authlete's
 * convention); JSON callers send real arrays. Splits such strings before validation.
 */
export function splitFormArrays(request: FastifyRequest, schema: JsonSchema | undefined): void {
  const type = request.headers['content-type'] ?? '';
  if (!schema?.properties || !type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return;
  const body = request.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return;
  for (const [name, member] of Object.entries(schema.properties)) {
    const value = body[name];
    const isArray = member.type === 'array' || (Array.isArray(member.type) && member.type.includes('array'));
    if (isArray && typeof value === 'string') body[name] = value.split(/\s+/).filter(Boolean);
  }
}
