import { performance } from 'node:perf_hooks';
import type { Kysely, QueryResult, SqliteStatement } from 'kysely';
import type { StatementEvent } from './database.js';

/**
 * How the store's hot statements (prepared-query.ts) reach the driver. Kysely's executor costs
 * more per statement than SQLite takes to run a keyed lookup (a connection acquired through a
 * mutex, a log hook, result transforms), so on SQLite a hot statement calls the prepared
 * better-sqlite3 statement itself; on PostgreSQL its SQL text becomes a named statement, parsed
 * and planned once per connection (the pool wrapper in database.ts asks `statementName`).
 */
export interface HotPath {
  /** A hot statement's SQL, told once when it is first compiled. */
  register(sql: string): void;
  /**
   * Runs a registered statement on the driver directly when `executor` may, or answers undefined
   * to have it run through Kysely (which then queues it for the connection).
   */
  run<Row>(executor: Kysely<any>, sql: string, parameters: readonly unknown[]): Promise<QueryResult<Row>> | undefined;
  /** The name a registered SQL text runs under as a PostgreSQL prepared statement. */
  statementName(sql: string): string | undefined;
}

interface SqliteHandle {
  readonly inTransaction: boolean;
}

/**
 * SQLite has one connection. A unit of group commit runs on the transaction that holds it, so
 * a statement given a Kysely transaction runs inside it. A statement given the root instance
 * runs directly only while no transaction is open on the connection: better-sqlite3 is
 * synchronous, so it then runs whole, on its own, exactly as Kysely would run it; while another
 * caller's transaction is open it goes through Kysely, which waits for that transaction (so a
 * read never sees a batch that has not committed).
 */
export function sqliteHotPath(
  handle: SqliteHandle,
  prepare: (sql: string) => SqliteStatement,
  onStatement: ((event: StatementEvent) => void) | undefined,
): HotPath {
  const execute = (sql: string, parameters: readonly unknown[]): QueryResult<any> => {
    const statement = prepare(sql);
    if (statement.reader) return { rows: statement.all(parameters) as unknown[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  };
  const timed = (sql: string, parameters: readonly unknown[]): QueryResult<any> => {
    const started = performance.now();
    try {
      const result = execute(sql, parameters);
      onStatement!({ sql, durationMs: performance.now() - started, ok: true });
      return result;
    } catch (error) {
      onStatement!({ sql, durationMs: performance.now() - started, ok: false });
      throw error;
    }
  };
  const run = onStatement ? timed : execute;
  return {
    register: () => {},
    statementName: () => undefined,
    run(executor, sql, parameters) {
      if (!executor.isTransaction && handle.inTransaction) return undefined;
      try {
        return Promise.resolve(run(sql, parameters));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

/** PostgreSQL: Kysely keeps the transaction's client; the SQL runs there under its name. */
export function postgresHotPath(): HotPath {
  const names = new Map<string, string>();
  return {
    register(sql) {
      if (!names.has(sql)) names.set(sql, `openciba_${names.size + 1}`);
    },
    statementName: (sql) => names.get(sql),
    run: () => undefined,
  };
}
