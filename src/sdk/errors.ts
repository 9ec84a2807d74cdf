/**
 * An API-level failure: the API answered with a non-2xx status and the standard error body
 * `{resultCode, resultMessage}` (reference §1.3). Action-style outcomes such as BAD_REQUEST
 * are answers, not errors, and never become this.
 */
export class OpenCibaApiError extends Error {
  override readonly name = 'OpenCibaApiError';
  readonly status: number;
  readonly resultCode: string;
  readonly resultMessage: string;
  /** The raw response body when it was not the standard error body (HTTP client only). */
  readonly body: string | undefined;

  constructor(status: number, resultCode: string, resultMessage: string, options: { cause?: unknown; body?: string } = {}) {
    super(resultMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.resultCode = resultCode;
    this.resultMessage = resultMessage;
    this.body = options.body;
  }
}

export type OpenCibaTransportFailure = 'timeout' | 'network' | 'invalid-response';

/**
 * The API could not be reached or gave something that is not an API answer (a timeout, a
 * refused connection, a 2xx whose body is not JSON). There is no resultCode to report.
 */
export class OpenCibaTransportError extends Error {
  override readonly name = 'OpenCibaTransportError';
  readonly failure: OpenCibaTransportFailure;

  constructor(failure: OpenCibaTransportFailure, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.failure = failure;
  }
}

export function isOpenCibaApiError(value: unknown): value is OpenCibaApiError {
  return value instanceof OpenCibaApiError;
}

export function isOpenCibaTransportError(value: unknown): value is OpenCibaTransportError {
  return value instanceof OpenCibaTransportError;
}
