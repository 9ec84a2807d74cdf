import { isIP } from 'node:net';
import type { Mode } from '../context.js';

export function parseAbsoluteUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

export function isLoopbackHost(url: URL): boolean {
  const host = hostOf(url);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/**
 * True for literal addresses that are not publicly routable: loopback, private, link-local,
 * carrier-grade NAT, unique-local, unspecified and IPv4-mapped forms of those. Hostnames are
 * checked again on their resolved addresses when a request is actually made.
 */
export function isNonPublicAddress(address: string): boolean {
  const host = address.replace(/^\[|\]$/g, '').toLowerCase();
  const kind = isIP(host);
  if (kind === 4) {
    const [a = 0, b = 0] = host.split('.').map(Number);
    return (
      a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 198 && (b === 18 || b === 19)) || a >= 224
    );
  }
  if (kind === 6) {
    if (host === '::' || host === '::1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    if (mapped?.[1]) return isNonPublicAddress(mapped[1]);
    return /^(fc|fd|fe8|fe9|fea|feb|ff)/.test(host);
  }
  return false;
}

/**
 * Checks a URL the server will itself send requests to (notification endpoints): https,
 * except plain http to loopback in development mode; in production no literal non-public
 * address and no localhost. Returns an error text, or undefined when acceptable.
 */
export function checkOutboundUrl(value: string, mode: Mode): string | undefined {
  const url = parseAbsoluteUrl(value);
  if (!url) return 'must be an absolute http(s) URL';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.hash) return 'must not have a fragment';
  const loopback = isLoopbackHost(url);
  if (mode === 'development') {
    if (url.protocol === 'https:' || loopback) return undefined;
    return 'must use https (plain http is allowed only to loopback in development mode)';
  }
  if (url.protocol !== 'https:') return 'must use https';
  if (loopback || isNonPublicAddress(hostOf(url))) return 'must point to a public address';
  return undefined;
}
