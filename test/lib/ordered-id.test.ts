import { describe, expect, it } from 'vitest';
import { isOrderedId, orderedId } from '../../src/lib/ordered-id.js';
import { cryptoRandom } from '../../src/lib/random.js';

describe('ordered ids', () => {
  it('sort in the order they were made, within a millisecond and across milliseconds, and never repeat', () => {
    const made = [
      ...Array.from({ length: 50 }, () => orderedId(1_764_800_000_000, cryptoRandom)),
      ...Array.from({ length: 50 }, () => orderedId(1_764_800_000_001, cryptoRandom)),
      orderedId(1_764_800_001_000, cryptoRandom),
    ];
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
    // 9 random bytes by default: 35 characters, within the 40 the audit trail's request key holds.
    expect(made[0]).toMatch(/^001764800000000-000000-[A-Za-z0-9_-]{12}$/);
  });

  it('are told apart from the random ids of rows stored before them', () => {
    expect(isOrderedId(orderedId(Date.now(), cryptoRandom))).toBe(true);
    expect(isOrderedId(cryptoRandom.token(16))).toBe(false);
    expect(isOrderedId('')).toBe(false);
    expect(isOrderedId('001764800000000-000000-')).toBe(false);
  });
});
