/** The HTTP status each engine action maps to at the front (reference §3–§10, [JX]). */
export const STATUS_OF_ACTION: Record<string, number> = {
  OK: 200,
  JSON: 200,
  JWT: 200,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  INVALID_CLIENT: 401,
  FORBIDDEN: 403,
  INTERNAL_SERVER_ERROR: 500,
  INVALID_TICKET: 500,
};
