import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export const METRIC_PREFIX = 'openciba_';

/** Latency buckets in seconds, from a cached lookup to a slow webhook. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One registry per server instance, never prom-client's global one: tests start several servers
 * in one process, and each must count only its own.
 */
export function createMetricsRegistry(): Registry {
  return new Registry();
}

/**
 * Gauges computed at scrape time from one database query: a scrape collects every metric at
 * once, so the gauges join the one query in flight instead of each running it. A failing query
 * leaves them out of that scrape rather than failing it.
 */
export function gaugesFromQuery<T>(registry: Registry, query: () => Promise<T>, gauges: { name: string; help: string; value: (result: T) => number }[]): void {
  let last: Promise<T | undefined> | undefined;
  const read = () =>
    (last ??= query()
      .then(
        (value) => value,
        () => undefined,
      )
      .finally(() => {
        last = undefined;
      }));
  for (const gauge of gauges) {
    new Gauge({
      name: `${METRIC_PREFIX}${gauge.name}`,
      help: gauge.help,
      registers: [registry],
      async collect() {
        const result = await read();
        if (result !== undefined) this.set(gauge.value(result));
      },
    });
  }
}

let processRegistry: Registry | undefined;

/**
 * Process metrics (event-loop lag, heap, RSS, CPU, GC) are the process's, whatever number of
 * servers it runs, and collecting them installs observers that live as long as the process: one
 * set per process, shown beside each server's own metrics.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: METRIC_PREFIX });
  }
  return processRegistry;
}

/** A scrape: the server's metrics and the process's, in the Prometheus text format. */
export async function scrapeMetrics(registry: Registry): Promise<{ contentType: string; text: string }> {
  const merged = Registry.merge([registry, processMetrics()]);
  return { contentType: registry.contentType, text: await merged.metrics() };
}
