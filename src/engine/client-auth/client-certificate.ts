import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Parses the certificate the TLS layer passed on. Some reverse proxies forward it URL-encoded
 * (nginx `$ssl_client_escaped_cert`), so that form is accepted too.
 */
export function parseClientCertificate(text: string): X509Certificate | undefined {
  const attempt = (pem: string) => {
    try {
      return new X509Certificate(pem);
    } catch {
      return undefined;
    }
  };
  const direct = attempt(text);
  if (direct !== undefined || !text.includes('%')) return direct;
  try {
    return attempt(decodeURIComponent(text));
  } catch {
    return undefined;
  }
}

/** Whether `now` (epoch seconds) lies within the certificate's validity period, give or take the skew. */
export function isWithinValidity(cert: X509Certificate, now: number, skew: number): boolean {
  const notBefore = Date.parse(cert.validFrom) / 1000;
  const notAfter = Date.parse(cert.validTo) / 1000;
  if (!Number.isFinite(notBefore) || !Number.isFinite(notAfter)) return false;
  return notBefore <= now + skew && now - skew <= notAfter;
}

export type SanType = 'DNS' | 'URI' | 'IP' | 'email';
export interface SubjectAltName {
  type: SanType;
  value: string;
}

// How Node names the GeneralName choices RFC 8705 §2.1.2 lets a client register.
const NODE_SAN_TYPES: Readonly<Record<string, SanType>> = { DNS: 'DNS', URI: 'URI', 'IP Address': 'IP', email: 'email' };

/**
 * The subjectAltName entries of the kinds RFC 8705 uses. Node prints them as `DNS:a, URI:b`, and
 * JSON-quotes a value holding a comma or a control character (so a crafted SAN cannot pose as two
 * entries); both forms are read here. Other kinds (DirName, othername, ...) are skipped.
 */
export function subjectAltNames(cert: X509Certificate): SubjectAltName[] {
  const text = cert.subjectAltName;
  if (text === undefined || text === '') return [];
  const entries: SubjectAltName[] = [];
  let position = 0;
  while (position < text.length) {
    const colon = text.indexOf(':', position);
    if (colon < 0) break;
    const nodeType = text.slice(position, colon);
    const read = readSanValue(text, colon + 1);
    if (read === undefined) return entries; // Unreadable from here on: keep only what was certain.
    const type = NODE_SAN_TYPES[nodeType];
    if (type !== undefined) entries.push({ type, value: read.value });
    position = text.startsWith(', ', read.end) ? read.end + 2 : read.end;
  }
  return entries;
}

function readSanValue(text: string, start: number): { value: string; end: number } | undefined {
  if (text.charAt(start) !== '"') {
    const comma = text.indexOf(', ', start);
    const end = comma < 0 ? text.length : comma;
    return { value: text.slice(start, end), end };
  }
  let i = start + 1;
  while (i < text.length && text.charAt(i) !== '"') i += text.charAt(i) === '\\' ? 2 : 1;
  try {
    const value: unknown = JSON.parse(text.slice(start, i + 1));
    return typeof value === 'string' ? { value, end: i + 1 } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a certificate SAN value equals the registered one, compared as RFC 8705 §2.1.2 values of that kind. */
export function sanValuesMatch(type: SanType, registered: string, presented: string): boolean {
  switch (type) {
    case 'DNS':
      // DNS names are case-insensitive (RFC 4343); no wildcard expansion: the client registers its exact name.
      return stripRootDot(registered).toLowerCase() === stripRootDot(presented).toLowerCase();
    case 'URI':
      return registered === presented;
    case 'IP': {
      const left = canonicalIp(registered);
      return left !== undefined && left === canonicalIp(presented);
    }
    case 'email':
      return emailsMatch(registered, presented);
  }
}

function stripRootDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

// Node prints IPv6 SANs fully expanded in upper case (2001:DB8:0:0:0:0:0:1) while people register
// the compressed form; the WHATWG URL parser gives one canonical spelling for both.
function canonicalIp(text: string): string | undefined {
  const version = isIP(text);
  if (version === 4) return text;
  if (version === 6) return new URL(`http://[${text}]/`).hostname;
  return undefined;
}

// RFC 5321 §2.4: the local part may be case-sensitive, the domain is not.
function emailsMatch(a: string, b: string): boolean {
  const split = (address: string) => {
    const at = address.lastIndexOf('@');
    return at < 0 ? undefined : { local: address.slice(0, at), domain: address.slice(at + 1).toLowerCase() };
  };
  const left = split(a);
  const right = split(b);
  return left !== undefined && right !== undefined && left.local === right.local && left.domain === right.domain;
}
