import { BlockList, isIP } from 'node:net';
import type { Mode } from './mode.js';

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

// Addresses a server of ours must never be made to call outside development: special-use
// ranges of RFC 6890 and its updates. IPv4-mapped IPv6 addresses are checked against the IPv4
// ranges by BlockList itself; IPv4-compatible (::/96), NAT64 and 6to4 forms, which can carry any
// IPv4 address, are refused whole.
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 96], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) NON_PUBLIC.addSubnet(network, prefix, 'ipv6');

/**
 * True for literal addresses that are not publicly routable (loopback, private, link-local,
 * shared, documentation, multicast, and IPv6 forms that wrap IPv4). Hostnames are checked
 * again on their resolved addresses when a request is actually made.
 */
export function isNonPublicAddress(address: string): boolean {
  const host = address.replace(/^\[|\]$/g, '').toLowerCase();
  const kind = isIP(host);
  if (kind === 4) return NON_PUBLIC.check(host, 'ipv4');
  if (kind === 6) return NON_PUBLIC.check(host, 'ipv6');
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
