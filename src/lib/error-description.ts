/**
 * RFC 6749 §5.2: `error_description` is `1*( %x20-21 / %x23-5B / %x5D-7E )` — printable ASCII
 * without `"` and `\`. Every OAuth error the engine or the front serializes goes through
 * `errorDescription`, so no message, and no input a message echoes, can break the rule.
 */
export const ERROR_DESCRIPTION_CHARSET = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;
/** RFC 6749 §5.2: `error_uri` is `%x21 / %x23-5B / %x5D-7E`. */
export const ERROR_URI_CHARSET = /^[\x21\x23-\x5B\x5D-\x7E]*$/;

/** The longest description sent; our own are far shorter. */
export const MAX_ERROR_DESCRIPTION_LENGTH = 1024;
/** The most of a client's input a description echoes. */
export const MAX_ECHOED_LENGTH = 64;

const OUTSIDE = /[^\x20-\x21\x23-\x5B\x5D-\x7E]/gu;

/** `text` within the character set: each code point outside it becomes `?`; bounded in length. */
export function errorDescription(text: string): string {
  const safe = text.replace(OUTSIDE, '?');
  return safe.length <= MAX_ERROR_DESCRIPTION_LENGTH ? safe : `${safe.slice(0, MAX_ERROR_DESCRIPTION_LENGTH - 3)}...`;
}

/**
 * A client's input as a description may quote it: within the character set and at most
 * `max` characters (a longer one is cut and ends with `...`). Raw input is never echoed.
 */
export function echoed(input: string, max = MAX_ECHOED_LENGTH): string {
  const chars = Array.from(input);
  const cut = chars.length > max ? `${chars.slice(0, max).join('')}...` : input;
  return cut.replace(OUTSIDE, '?');
}
