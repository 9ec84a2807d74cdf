import { collectDefaultMetrics, Registry } from 'prom-client';

export const METRIC_PREFIX = 'openciba_';

/** Latency buckets in seconds, from a cached lookup to a slow webhook. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One registry per server instance, never prom-client's global one: tests start several servers
 * in one process, and each must count only its own. Process metrics (event-loop lag, heap, RSS,
 * CPU) come from prom-client's defaults.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}
