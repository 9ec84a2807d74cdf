import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { Mode } from './mode.js';
import { isNonPublicAddress } from './urls.js';

/** Resolves a host name to every address it has (what `dns.lookup(host, { all: true })` gives). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export interface AddressRules {
  mode: Mode;
  /** Production only: also allow https endpoints on private and loopback addresses (an internal client). */
  allowPrivateAddresses?: boolean;
}

export const systemResolveHost: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

/** Marks a lookup failure that is our refusal, not a DNS problem: such a delivery is final. */
export class AddressRefused extends Error {}

function isLoopbackAddress(address: string): boolean {
  const host = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(host) === 4) return host.startsWith('127.');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (mapped?.[1]) return mapped[1].startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/**
 * Decides which resolved addresses a connection may go to. Returns the reason for a refusal.
 * Any refused address refuses the whole name: otherwise a name with one public and one
 * private address would still let a connection reach the private one.
 */
export function addressPolicy(url: URL, options: AddressRules): (addresses: LookupAddress[]) => string | undefined {
  if (options.mode === 'development') {
    if (url.protocol === 'https:') return () => undefined;
    return (addresses) =>
      addresses.every((a) => isLoopbackAddress(a.address))
        ? undefined
        : 'refused: plain http is allowed only to loopback, and the host resolves to a non-loopback address';
  }
  if (options.allowPrivateAddresses) return () => undefined;
  return (addresses) =>
    addresses.some((a) => isNonPublicAddress(a.address)) ? 'refused: the host resolves to a non-public address' : undefined;
}

export function makeLookup(resolveHost: ResolveHost, policy: (addresses: LookupAddress[]) => string | undefined): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolveHost(hostname).then(
      (resolved) => {
        const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : undefined;
        const addresses = family ? resolved.filter((a) => a.family === family) : resolved;
        if (addresses.length === 0) {
          const error = Object.assign(new Error(`no address found for ${hostname}`), { code: 'ENOTFOUND' });
          callback(error, '', 0);
          return;
        }
        const refusal = policy(addresses);
        if (refusal) {
          callback(new AddressRefused(refusal), '', 0);
          return;
        }
        if (lookupOptions.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}


/** What an outbound request of ours (a notification, a jwks_uri fetch) may be given besides the address rules. */
export interface OutboundOptions extends AddressRules {
  /** Replaces the system resolver (tests, or a resolver of the operator's choosing). */
  resolveHost?: ResolveHost;
  /** Extra trust anchors for https endpoints (PEM), e.g. a private CA; public CAs stay trusted. */
  ca?: string | string[];
}

/**
 * The `http(s).request` options that make a connection go only where the rules allow: a fresh
 * socket (a pooled one would skip the lookup), the guarded lookup, and for https TLS 1.2 or
 * later with any extra trust anchors.
 */
export function guardedRequestOptions(url: URL, options: OutboundOptions) {
  return {
    agent: false as const,
    lookup: makeLookup(options.resolveHost ?? systemResolveHost, addressPolicy(url, options)),
    ...(url.protocol === 'https:' ? { minVersion: 'TLSv1.2' as const, ...(options.ca ? { ca: options.ca } : {}) } : {}),
  };
}
