import { describe, expect, it } from 'vitest';
import { pushServiceOutcome, retryAfterHeader, retryAfterMs } from '../../../src/op/notifications/retry-later.js';

describe('Retry-After and push service answers', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delay-seconds and HTTP-dates (RFC 9110 §10.2.3) and nothing else', () => {
    expect(retryAfterMs('5', now)).toBe(5_000);
    expect(retryAfterMs('0', now)).toBe(0);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    // Past dates, negatives, fractions, huge numbers, junk: no delay of the peer's.
    for (const hostile of ['Wed, 31 Dec 2025 23:59:00 GMT', '-5', '1.5', '9999999999', 'soon', '', ' 5', '5; drop table', undefined]) {
      expect(retryAfterMs(hostile, now), String(hostile)).toBeUndefined();
    }
  });

  it('keeps a header only when short and printable', () => {
    expect(retryAfterHeader('120')).toEqual({ retryAfter: '120' });
    expect(retryAfterHeader(['7', '8'])).toEqual({ retryAfter: '7' });
    expect(retryAfterHeader('x'.repeat(65))).toEqual({});
    expect(retryAfterHeader('1\u0000')).toEqual({});
    expect(retryAfterHeader(undefined)).toEqual({});
  });

  it('retries a push service 429 like a 5xx; other 4xx stay final', () => {
    expect(pushServiceOutcome({ outcome: 'final', status: 429, error: 'HTTP 429' }).outcome).toBe('retry');
    expect(pushServiceOutcome({ outcome: 'retry', status: 503 }).outcome).toBe('retry');
    for (const status of [400, 404, 410, 413]) expect(pushServiceOutcome({ outcome: 'final', status }).outcome).toBe('final');
  });
});
