/** Client credentials from HTTP Basic (RFC 6749 §2.3.1: both parts are form-urlencoded first). */
export function basicCredentials(authorization: string | undefined): { clientId: string; clientSecret: string } | undefined | 'malformed' {
  if (!authorization) return undefined;
  const match = /^Basic[ ]+([A-Za-z0-9+/]+=*)[ ]*$/i.exec(authorization);
  if (!match) return /^Basic\b/i.test(authorization) ? 'malformed' : undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  try {
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      clientSecret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    return 'malformed';
  }
}

/** A Bearer token from the Authorization header (RFC 6750 §2.1). */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = authorization ? /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(authorization) : null;
  return match?.[1];
}
