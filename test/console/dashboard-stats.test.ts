import { describe, expect, it } from 'vitest';

// The console's own browser module (plain JS, no imports), loaded as the browser loads it.
const statsModule = new URL('../../console/app/stats.js', import.meta.url).href;
const { hourlyFigures, quantile } = (await import(statsModule)) as {
  hourlyFigures: (events: unknown[], now: number) => any;
  quantile: (sorted: number[], q: number) => number | undefined;
};

const NOW = Date.parse('2026-12-02T10:00:30Z');
const at = (minutesAgo: number, seconds = 0) => new Date(NOW - minutesAgo * 60_000 + seconds * 1000).toISOString();

describe("the dashboard's figures from audit events (contract A)", () => {
  it('nearest-rank quantiles', () => {
    expect(quantile([], 0.5)).toBeUndefined();
    expect(quantile([7], 0.95)).toBe(7);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile(Array.from({ length: 100 }, (_, i) => i + 1), 0.95)).toBe(95);
  });

  it('counts flows, outcomes and notification failures per minute over the last hour, and times decisions', () => {
    // The shapes the server records: the request event has no auth_req_id yet (it is minted
    // later); the decision carries its request's time (epoch ms).
    const requestedAt = (minutesAgo: number) => NOW - minutesAgo * 60_000;
    const events = [
      { type: 'backchannel.requested', at: at(10), data: {} },
      { type: 'decision.recorded', at: at(10, 4), authReqId: 'a', data: { outcome: 'approved', requestedAt: requestedAt(10) } },
      { type: 'backchannel.requested', at: at(5), data: {} },
      { type: 'decision.recorded', at: at(5, 20), authReqId: 'b', data: { outcome: 'denied', requestedAt: requestedAt(5) } },
      { type: 'backchannel.requested', at: at(5), data: {} },
      { type: 'request.expired', at: at(1), authReqId: 'c', data: {} },
      { type: 'notification.attempt', at: at(2), data: { attempt: 1, outcome: 'retry', status: 503 } },
      { type: 'notification.attempt', at: at(1), data: { attempt: 2, outcome: 'failed' } },
      // Outside the hour: not counted.
      { type: 'backchannel.requested', at: at(90), data: {} },
      // A decision without its request's time (or with one after it) has no duration.
      { type: 'decision.recorded', at: at(3), authReqId: 'unknown', data: { outcome: 'approved' } },
      { type: 'decision.recorded', at: at(70), authReqId: 'odd', data: { outcome: 'approved', requestedAt: 'yesterday' } },
      { type: 'decision.recorded', at: at(4), authReqId: 'later', data: { outcome: 'denied', requestedAt: requestedAt(1) } },
      { type: 'decision.recorded', at: at(70), authReqId: 'before', data: { outcome: 'approved', requestedAt: requestedAt(71) } },
    ];
    const f = hourlyFigures(events, NOW);
    expect(f.x).toHaveLength(61);
    expect(f.x[1] - f.x[0]).toBe(60);
    expect(f.totals).toEqual({ requested: 3, approved: 2, denied: 2, expired: 1, notificationFailed: 1, notificationRetry: 1 });
    expect(f.rates.approved).toBeCloseTo(0.4);
    expect(f.rates.expired).toBeCloseTo(0.2);
    expect(f.decisionSeconds).toEqual({ p50: 4, p95: 20, count: 2 });
    expect(f.series.requested.reduce((a: number, b: number) => a + b, 0)).toBe(3);
  });

  it('an empty hour has no rates and no durations, never NaN', () => {
    const f = hourlyFigures([], NOW);
    expect(f.rates).toEqual({ approved: undefined, denied: undefined, expired: undefined });
    expect(f.decisionSeconds).toEqual({ p50: undefined, p95: undefined, count: 0 });
  });

  it('hostile events (missing or odd fields) are counted or skipped, never thrown on', () => {
    const f = hourlyFigures([{ type: 'decision.recorded', at: 'not a date' }, { type: 'backchannel.requested', at: at(1) }, { at: at(1), data: null }, {}], NOW);
    expect(f.totals.requested).toBe(1);
  });
});
