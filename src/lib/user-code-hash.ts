import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * How a user code rests in the user directory: a salted scrypt hash in a self-describing string,
 * `scrypt$N$r$p$salt$hash` (salt and hash base64url). A user code is a short secret a person
 * types, so a fast digest would fall to a dictionary in seconds if the database leaked; the
 * parameters travel with each hash so they can be raised later without breaking older ones.
 * Hashing and checking run on libuv's thread pool (the async scrypt), not the event loop.
 *
 * A mechanism with no rules of ours, so it sits in lib/: the API, the front, the CLI and the
 * migration that hashed the codes once stored in clear all use it.
 */

const SCHEME = 'scrypt';
// About 16 MiB and a few tens of milliseconds per hash: costly to guess in bulk, cheap per login.
const COST = { N: 16_384, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
// A stored string chooses its own parameters; never let one ask for more than this.
const MAX_MEMORY = 64 * 1024 * 1024;
const DECIMAL = /^[1-9][0-9]{0,7}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** A fresh salted hash of `code`, to store in place of the code. */
export async function hashUserCode(code: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(code, salt, COST.N, COST.r, COST.p, KEY_BYTES);
  return [SCHEME, COST.N, COST.r, COST.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Whether a stored value is a hash this module can check (anything else is refused). */
export function isUserCodeHash(value: unknown): value is string {
  return typeof value === 'string' && parseHash(value) !== undefined;
}

/** Whether `given` is the code `stored` was made from; false for anything that is not a hash. */
export async function verifyUserCode(given: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const candidate = await derive(given, parsed.salt, parsed.N, parsed.r, parsed.p, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

function parseHash(value: string): ParsedHash | undefined {
  const parts = value.split('$');
  if (parts.length !== 6 || parts[0] !== SCHEME) return undefined;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  if (!DECIMAL.test(n) || !DECIMAL.test(r) || !DECIMAL.test(p) || !BASE64URL.test(salt) || !BASE64URL.test(hash)) return undefined;
  const parsed = { N: Number(n), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
  const powerOfTwo = parsed.N > 1 && (parsed.N & (parsed.N - 1)) === 0;
  if (!powerOfTwo || memoryOf(parsed.N, parsed.r, parsed.p) > MAX_MEMORY || parsed.p > 16) return undefined;
  if (parsed.salt.length < 8 || parsed.hash.length < 16 || parsed.hash.length > 64) return undefined;
  return parsed;
}

// What OpenSSL's scrypt allocates (its maxmem check): the N-block table and the p blocks.
function memoryOf(N: number, r: number, p: number): number {
  return 128 * r * (N + 2) + 128 * r * p;
}

function derive(code: string, salt: Buffer, N: number, r: number, p: number, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(code, salt, length, { N, r, p, maxmem: memoryOf(N, r, p) + 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
