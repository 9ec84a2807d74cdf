import type { ResultCode } from '../../wire/result-codes.js';

/**
 * Why a CIBA step refuses a request: the OAuth `error`, the result code, and the action the
 * API reports (BAD_REQUEST unless said otherwise).
 */
export interface Refusal {
  readonly kind: 'refusal';
  readonly error: string;
  readonly code: ResultCode;
  readonly detail?: string;
  readonly action: 'BAD_REQUEST' | 'UNAUTHORIZED' | 'INTERNAL_SERVER_ERROR' | 'INVALID_CLIENT';
  /** error_description / error_uri the authorization server supplied (with /complete), used as given. */
  readonly supplied?: { error_description?: string; error_uri?: string };
}

export function refuse(error: string, code: ResultCode, detail?: string, action: Refusal['action'] = 'BAD_REQUEST'): Refusal {
  return { kind: 'refusal', error, code, action, ...(detail !== undefined ? { detail } : {}) };
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'refusal';
}
