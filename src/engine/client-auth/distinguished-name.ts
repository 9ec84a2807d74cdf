/**
 * Distinguished-name comparison for tls_client_auth (RFC 8705 §2.1.2: the registered
 * `tls_client_auth_subject_dn` is an RFC 4514 string). Node prints a certificate subject one RDN
 * per line, most significant first, with RFC 4514 escaping; people register names comma-separated,
 * usually least significant first. So both are parsed with one grammar and compared as multisets
 * of attribute/value pairs: order and multi-valued RDN grouping are ignored, attribute names are
 * case-insensitive and may be OIDs, and values use caseIgnoreMatch with insignificant spaces
 * removed (RFC 4518 §2.6.1).
 */
export function distinguishedNamesMatch(a: string, b: string): boolean {
  const left = normalisedAttributes(a);
  const right = normalisedAttributes(b);
  if (left === undefined || right === undefined || left.length === 0) return false;
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

/** Sorted `type=value` strings, or undefined when the text is not a distinguished name. */
export function normalisedAttributes(dn: string): string[] | undefined {
  const attributes: string[] = [];
  for (const rdn of splitUnescaped(dn, ',;\n')) {
    if (rdn.trim() === '') continue;
    for (const ava of splitUnescaped(rdn, '+')) {
      const parsed = parseAttribute(ava);
      if (parsed === undefined) return undefined;
      attributes.push(parsed);
    }
  }
  return attributes.sort();
}

// Short names as RFC 4514 §3 and OpenSSL print them, keyed by every other spelling we may meet.
const TYPE_ALIASES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'cn',
  commonname: 'cn',
  '2.5.4.6': 'c',
  countryname: 'c',
  '2.5.4.7': 'l',
  localityname: 'l',
  '2.5.4.8': 'st',
  s: 'st',
  stateorprovincename: 'st',
  '2.5.4.9': 'street',
  streetaddress: 'street',
  '2.5.4.10': 'o',
  organizationname: 'o',
  '2.5.4.11': 'ou',
  organizationalunitname: 'ou',
  '2.5.4.5': 'serialnumber',
  '2.5.4.97': 'organizationidentifier',
  '0.9.2342.19200300.100.1.1': 'uid',
  userid: 'uid',
  '0.9.2342.19200300.100.1.25': 'dc',
  domaincomponent: 'dc',
  '1.2.840.113549.1.9.1': 'emailaddress',
  e: 'emailaddress',
  email: 'emailaddress',
};

function parseAttribute(ava: string): string | undefined {
  const equals = ava.indexOf('=');
  if (equals <= 0) return undefined;
  const rawType = ava.slice(0, equals).trim().toLowerCase().replace(/^oid\./, '');
  if (!/^[a-z0-9.-]+$/.test(rawType)) return undefined;
  const type = TYPE_ALIASES[rawType] ?? rawType;
  // Not trimmed before unescaping: `\ ` at the end is an escaped space, not a dangling backslash.
  const value = unescapeValue(ava.slice(equals + 1));
  if (value === undefined) return undefined;
  return `${type}=${value.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase()}`;
}

/** Splits at separators that are neither backslash-escaped nor inside a legacy quoted value. */
function splitUnescaped(text: string, separators: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text.charAt(i + 1);
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
      current += ch;
    } else if (!quoted && separators.includes(ch)) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/**
 * RFC 4514 §2.4 escapes (`\,` and `\C3\A9` hex pairs, which may spell UTF-8 across several pairs)
 * and RFC 1779 quoted values. A `#`-prefixed BER value is left as text: it only matches itself.
 */
function unescapeValue(raw: string): string | undefined {
  const trimmed = raw.trim();
  const text = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : raw;
  const chars = Array.from(text); // code points, so astral characters survive
  const bytes: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const hex = (chars[i + 1] ?? '') + (chars[i + 2] ?? '');
    const next = chars[i + 1];
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (next !== undefined) {
      bytes.push(...Buffer.from(next, 'utf8'));
      i++;
    } else {
      return undefined; // A dangling backslash.
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
