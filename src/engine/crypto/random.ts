import { randomBytes, randomInt } from 'node:crypto';

/** Source of randomness, injected so tests can make it predictable where they must. */
export interface Random {
  /** base64url of `bytes` CSPRNG bytes. */
  token(bytes: number): string;
  /** A positive integer id with `digits` decimal digits (never more than 15, to stay exact in JSON). */
  numericId(digits: number): number;
}

export const cryptoRandom: Random = {
  token(bytes) {
    return randomBytes(bytes).toString('base64url');
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
