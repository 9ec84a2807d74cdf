import { randomBytes, randomFillSync, randomInt } from 'node:crypto';

// Each call into the CSPRNG costs a few microseconds however few bytes it returns, and a flow
// draws about ten small values; so bytes are drawn 4 KiB at a time. A refill takes a new buffer,
// so a slice handed out is never overwritten, and no byte is handed out twice.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** `n` fresh CSPRNG bytes (a view into the pool: copy it before keeping it beyond the call). */
export function randomSlice(n: number): Buffer {
  if (n > POOL_BYTES / 4) return randomBytes(n);
  if (offset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    offset = 0;
  }
  const slice = pool.subarray(offset, offset + n);
  offset += n;
  return slice;
}

/** Source of randomness, injected so tests can make it predictable where they must. */
export interface Random {
  /** base64url of `bytes` CSPRNG bytes. */
  token(bytes: number): string;
  /** A positive integer id with `digits` decimal digits (never more than 15, to stay exact in JSON). */
  numericId(digits: number): number;
}

export const cryptoRandom: Random = {
  token(bytes) {
    return randomSlice(bytes).toString('base64url');
  },
  numericId(digits) {
    if (digits < 2 || digits > 15) throw new RangeError('digits must be within 2..15');
    const low = 10 ** (digits - 1);
    const high = 10 ** digits;
    // randomInt is limited to ranges below 2^48; compose two draws above that.
    if (high - low < 2 ** 48) return randomInt(low, high);
    const upper = randomInt(10 ** (digits - 8), 10 ** (digits - 7));
    return upper * 1e7 + randomInt(0, 1e7);
  },
};
