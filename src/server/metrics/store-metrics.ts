import { Gauge, Histogram, type Registry } from 'prom-client';
import type { StatementEvent } from '../../store/database.js';
import type { PoolUse } from '../../store/ports.js';
import { LATENCY_BUCKETS, METRIC_PREFIX } from './registry.js';

const STATEMENT_KINDS = new Set(['select', 'insert', 'update', 'delete', 'with', 'begin', 'commit', 'rollback']);

/** The statement's verb: a bounded label, cheap to find (the first word of the SQL). */
function kindOf(sql: string): string {
  const word = /^\s*\(?\s*([a-z]+)/i.exec(sql)?.[1]?.toLowerCase() ?? 'other';
  return STATEMENT_KINDS.has(word) ? word : 'other';
}

/** The store's statement hook: every statement timed by its verb and whether it failed. */
export function statementMetrics(registry: Registry): (event: StatementEvent) => void {
  const duration = new Histogram({
    name: `${METRIC_PREFIX}store_statement_duration_seconds`,
    help: 'Time the database took for one statement, by verb and outcome (ok or error).',
    labelNames: ['statement', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return (event) => duration.observe({ statement: kindOf(event.sql), outcome: event.ok ? 'ok' : 'error' }, event.durationMs / 1000);
}

/** PostgreSQL's pool, read at scrape time; nothing is registered on SQLite. */
export function registerPoolMetrics(registry: Registry, poolUse: () => PoolUse | undefined): void {
  if (poolUse() === undefined) return;
  new Gauge({
    name: `${METRIC_PREFIX}store_pool_connections`,
    help: 'PostgreSQL pool connections: total open, idle, and the configured maximum.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const use = poolUse();
      if (!use) return;
      this.set({ state: 'total' }, use.total);
      this.set({ state: 'idle' }, use.idle);
      this.set({ state: 'max' }, use.max);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}store_pool_waiting`,
    help: 'Queries waiting for a PostgreSQL pool connection.',
    registers: [registry],
    collect() {
      this.set(poolUse()?.waiting ?? 0);
    },
  });
}
