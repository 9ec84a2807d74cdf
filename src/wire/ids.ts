// client_id is VSCHAR (RFC 6749 Appendix A.1); aliases leave out the space, so they survive HTTP
// Basic authentication and forms alike, and control characters, which no database key should hold.
const ALIAS_SYNTAX = /^[\x21-\x7E]{1,255}$/;

/** Whether a value can be a client id alias at all (it may still name no client). */
export function isClientIdAliasSyntax(value: string): boolean {
  return ALIAS_SYNTAX.test(value);
}

/** Numeric aliases other than the client's own id would name another client. */
export function isNumericId(value: string): boolean {
  return /^[0-9]+$/.test(value);
}
