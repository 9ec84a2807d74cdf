import { schemaOf, type JsonSchema } from '../../wire/schemas.js';

/**
 * A request body schema for an action-style API: Authlete's, but with nothing `required`,
 * because Authlete answers a missing member with an action (HTTP 200), not a 400 (reference
 * §1.2, §15 #1). Types and enums are still enforced.
 */
export function actionRequestSchema(name: string): JsonSchema {
  const { $id: _id, required: _required, ...rest } = schemaOf(name);
  return rest;
}

export const errorResponses = { '4xx': { $ref: 'result#' }, '5xx': { $ref: 'result#' } };
