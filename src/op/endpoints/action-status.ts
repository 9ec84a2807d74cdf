import type { BackchannelAuthenticationAction, BackchannelAuthenticationFailAction, BackchannelAuthenticationIssueAction } from '../../wire/ciba-types.js';
import type { RevocationAction, StandardIntrospectionAction, TokenAction, UserinfoAction, UserinfoIssueAction } from '../../wire/token-types.js';

/** The `action` values of the answers the front relays to its clients. */
export type RelayedAction =
  | BackchannelAuthenticationAction
  | BackchannelAuthenticationIssueAction
  | BackchannelAuthenticationFailAction
  | TokenAction
  | StandardIntrospectionAction
  | RevocationAction
  | UserinfoAction
  | UserinfoIssueAction;

/** The HTTP status each engine action maps to at the front (reference §3–§10, [JX]); any other is a 500. */
export const STATUS_OF_ACTION: Partial<Record<RelayedAction, number>> = {
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
