/**
 * An API-level failure (Authlete's "standard error body"), carried as a value and turned
 * into an HTTP response once, at the edge.
 */
export class ApiError {
  readonly kind = 'api-error' as const;
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413 | 415 | 500 | 502,
    readonly resultCode: string,
    readonly text: string,
  ) {}

  /** `[A001202] /service/get, Authorization header is missing.` */
  message(apiPath?: string): string {
    return apiPath ? `[${this.resultCode}] ${apiPath}, ${this.text}` : `[${this.resultCode}] ${this.text}`;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

// Known codes from reference §1.3; the others follow the `A` + group + category + sequence
// pattern with category 2 ("the caller sent a bad API call") or 1 (our own failure).
export const apiErrors = {
  serverError: (text = 'Server error.') => new ApiError(500, 'A001101', text),
  /** A server this one depends on (a remote engine) failed or could not be reached; category 1, our side. */
  badGateway: (text: string) => new ApiError(502, 'A001102', text),
  badRequest: (text: string) => new ApiError(400, 'A001201', text),
  missingAuthorization: () => new ApiError(401, 'A001202', 'Authorization header is missing.'),
  invalidToken: () => new ApiError(401, 'A001203', 'The access token presented in the Authorization header is invalid.'),
  forbidden: (text: string) => new ApiError(403, 'A001204', text),
  clientLocked: (clientId: number) => new ApiError(403, 'A001215', `The client (ID = ${clientId}) is locked.`),
  serviceNotFound: (serviceId: string) => new ApiError(404, 'A001205', `The service (API key = ${serviceId}) does not exist.`),
  clientNotFound: (clientId: string) => new ApiError(404, 'A001206', `The client (ID = ${clientId}) does not exist.`),
  notFound: (text: string) => new ApiError(404, 'A001207', text),
  methodNotAllowed: (method: string) => new ApiError(405, 'A001208', `The method ${method} is not allowed here.`),
  bodyTooLarge: (limit: number) => new ApiError(413, 'A001209', `The request body exceeds the limit of ${limit} bytes.`),
  unsupportedMediaType: (type: string) =>
    new ApiError(415, 'A001210', `The content type '${type}' is not supported; use application/json or application/x-www-form-urlencoded.`),
};
