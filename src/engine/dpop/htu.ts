/**
 * The form of an HTTP URI that DPoP compares (RFC 9449 §4.3 step 9): without query and fragment,
 * after RFC 3986 §6.2.2 syntax-based normalization (case of scheme and host, percent-encoding of
 * unreserved characters, dot segments) and §6.2.3 scheme-based normalization (default port,
 * empty path). The WHATWG URL parser does all but the percent-encoding part. Undefined for a
 * value that is not an absolute http(s) URI.
 */
export function normalizedHtu(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const path = url.pathname.replace(/%([0-9a-fA-F]{2})/g, (_match, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : `%${hex.toUpperCase()}`;
  });
  return `${url.protocol}//${url.host}${path}`;
}
