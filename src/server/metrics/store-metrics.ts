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

/** SQL texts whose verb is remembered; ours are a few dozen shapes (as the statement cache). */
const KNOWN_SQL_LIMIT = 500;

/**
 * The store's statement hook: every statement timed by its verb and whether it failed. It runs
 * for every statement of every request (two dozen a flow), so the verb is found once per SQL
 * text and each label pair's histogram child is looked up once, not hashed on every call.
 */
export function statementMetrics(registry: Registry): (event: StatementEvent) => void {
  const duration = new Histogram({
    name: `${METRIC_PREFIX}store_statement_duration_seconds`,
    help: 'Time the database took for one statement, by verb and outcome (ok or error).',
    labelNames: ['statement', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const kinds = new Map<string, string>();
  const children = new Map<string, { observe(value: number): void }>();
  const child = (statement: string, outcome: string) => {
    const key = `${statement} ${outcome}`;
    let found = children.get(key);
    if (!found) children.set(key, (found = duration.labels({ statement, outcome })));
    return found;
  };
  return (event) => {
    let kind = kinds.get(event.sql);
    if (kind === undefined) {
      kind = kindOf(event.sql);
      if (kinds.size >= KNOWN_SQL_LIMIT) kinds.clear();
      kinds.set(event.sql, kind);
    }
    child(kind, event.ok ? 'ok' : 'error').observe(event.durationMs / 1000);
  };
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
