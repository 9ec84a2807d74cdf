// The dashboard's figures, computed from audit events (contract A) in the browser: per-minute
// counts over the last hour and the time from request to decision.

const MINUTE = 60_000;

/** The value at quantile q (0..1) of sorted numbers, nearest rank; undefined when empty. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function hourlyFigures(events, now = Date.now()) {
  const start = Math.floor((now - 60 * MINUTE) / MINUTE) * MINUTE;
  const minutes = Array.from({ length: 61 }, (_, i) => start + i * MINUTE);
  const zero = () => minutes.map(() => 0);
  const series = { requested: zero(), approved: zero(), denied: zero(), expired: zero(), notificationFailed: zero(), notificationRetry: zero() };
  const durations = [];
  for (const event of events) {
    const at = Date.parse(event.at);
    const slot = Math.floor((at - start) / MINUTE);
    const inHour = slot >= 0 && slot < minutes.length;
    const count = (name) => {
      if (inHour) series[name][slot] += 1;
    };
    const data = event.data ?? {};
    if (event.type === 'backchannel.requested') {
      count('requested');
    } else if (event.type === 'decision.recorded') {
      if (data.outcome === 'approved') count('approved');
      else if (data.outcome === 'denied') count('denied');
      // The request event precedes the auth_req_id (it is minted later), so the decision
      // carries its request's time itself (epoch ms).
      if (inHour && typeof data.requestedAt === 'number' && at >= data.requestedAt) durations.push((at - data.requestedAt) / 1000);
    } else if (event.type === 'request.expired') {
      count('expired');
    } else if (event.type === 'notification.attempt') {
      if (data.outcome === 'failed') count('notificationFailed');
      else if (data.outcome === 'retry') count('notificationRetry');
    }
  }
  durations.sort((a, b) => a - b);
  const sum = (values) => values.reduce((a, b) => a + b, 0);
  const decided = sum(series.approved) + sum(series.denied) + sum(series.expired);
  const rate = (name) => (decided === 0 ? undefined : sum(series[name]) / decided);
  return {
    x: minutes.map((m) => m / 1000),
    series,
    totals: Object.fromEntries(Object.entries(series).map(([name, values]) => [name, sum(values)])),
    rates: { approved: rate('approved'), denied: rate('denied'), expired: rate('expired') },
    decisionSeconds: { p50: quantile(durations, 0.5), p95: quantile(durations, 0.95), count: durations.length },
  };
}
