// Latency samples and summaries. Samples are kept whole (a 5 s round at ~20k req/s is 100k
// doubles, under 1 MB) so percentiles are exact rather than bucketed.

export class Samples {
  constructor() {
    this.values = new Float64Array(1024);
    this.length = 0;
  }
  add(ms) {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = ms;
  }
  /** {n, mean, p50, p99, max} in milliseconds, rounded to µs. */
  summary() {
    if (this.length === 0) return { n: 0 };
    const sorted = this.values.slice(0, this.length).sort();
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      n: this.length,
      mean: round3(sum / this.length),
      p50: round3(percentile(sorted, 0.5)),
      p99: round3(percentile(sorted, 0.99)),
      max: round3(sorted[sorted.length - 1]),
    };
  }
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, q) {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}

export function median(numbers) {
  const xs = numbers.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

export const round3 = (x) => Math.round(x * 1000) / 1000;
export const round1 = (x) => Math.round(x * 10) / 10;

/**
 * The median over rounds of every number in a round's result (same shape in, same shape out):
 * throughput is the median of the rounds' throughputs, a p99 the median of the rounds' p99s.
 * Counters (errors, retries) are summed instead — an error in any round must stay visible.
 */
export function medianOfRounds(rounds) {
  const SUMMED = new Set(['errors', 'retries', 'n', 'completed']);
  // Maps of error/retry kind → count: summed key by key.
  const SUMMED_MAPS = new Set(['errorKinds', 'retryKinds']);
  const walk = (values, key) => {
    const first = values.find((v) => v !== undefined);
    if (SUMMED_MAPS.has(key)) {
      const total = {};
      for (const map of values) for (const [k, v] of Object.entries(map ?? {})) total[k] = (total[k] ?? 0) + v;
      return total;
    }
    if (typeof first === 'boolean') return values.some(Boolean); // a flag raised in any round stays raised
    if (typeof first === 'number') {
      return SUMMED.has(key) ? values.reduce((a, b) => a + (b ?? 0), 0) : round3(median(values));
    }
    if (first && typeof first === 'object' && !Array.isArray(first)) {
      const keys = new Set(values.flatMap((v) => (v ? Object.keys(v) : [])));
      return Object.fromEntries([...keys].map((k) => [k, walk(values.map((v) => v?.[k]), k)]));
    }
    return first;
  };
  return walk(rounds, '');
}
