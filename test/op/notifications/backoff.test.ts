import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/op/notifications/backoff.js';

describe('backoffDelay', () => {
  it('doubles from 1 s and stops at 60 s', () => {
    const none = { random: () => 0 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50, 10_000].map((n) => backoffDelay(n, none))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('takes at most a fifth off at random, never adding to the schedule', () => {
    expect(backoffDelay(1, { random: () => 0.5 })).toBe(900);
    expect(backoffDelay(3, { random: () => 0.999999 })).toBe(3_200);
    expect(backoffDelay(10, { random: () => 0.999999 })).toBe(48_000);
    for (let i = 0; i < 200; i += 1) {
      const d = backoffDelay(2);
      expect(d).toBeGreaterThanOrEqual(1_600);
      expect(d).toBeLessThanOrEqual(2_000);
    }
  });

  it('spreads rows that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
