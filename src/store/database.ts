import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, type KyselyConfig, SqliteDialect, type PostgresPool, type PostgresPoolClient, type PostgresQueryResult, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Database } from './schema.js';
import type { PoolUse } from './ports.js';
import { postgresHotPath, sqliteHotPath, type HotPath } from './hot-path.js';

export type DialectName = 'sqlite' | 'postgres';

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Where the data lives, for the start-up banner (no credentials). */
  location: string;
  /** PostgreSQL's pool use; absent on SQLite. */
  poolUse?: () => PoolUse;
  /** How hot statements reach the driver (hot-path.ts). */
  hot: HotPath;
  close(): Promise<void>;
}

/** One statement as the store ran it: for metrics (the SQL text is for classifying, never for a label). */
export interface StatementEvent {
  sql: string;
  durationMs: number;
  ok: boolean;
}

export interface DatabaseOptions {
  /** A postgres:// URL selects PostgreSQL; otherwise SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /** Called after every statement: Kysely's log hook, and the hot path's own (hot-path.ts). */
  onStatement?: (event: StatementEvent) => void;
  /**
   * PostgreSQL: the longest a statement may run (server side: `statement_timeout`, waiting for
   * locks included) before it fails. One batch of group commit runs at a time, so one hung
   * statement would otherwise hold every write of the process behind it.
   */
  statementTimeoutMs?: number;
}

/** Far beyond any statement of ours (the slowest are housekeeping's bounded deletes). */
const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
/**
 * A connection that answers nothing (a network partition) is not cancelled by the server's
 * timeout: the client gives up this much later and the session is dropped.
 */
const CLIENT_TIMEOUT_GRACE_MS = 5_000;

const INT8_OID = 20;

/**
 * SQLite checkpoints the WAL into the database file when a commit leaves it above this many
 * pages, in the committing connection — ours, on the event loop, which stalls every request
 * for the checkpoint's writes and two fsyncs. SQLite's default is 1,000 pages; measured with
 * bench/ A/B runs on SQLite (c=32 full flows, interleaved, 2–3 rounds of 10 s on a shared
 * 2-core machine): 1,000 pages 372 and 453 flows/s with the server idle ~19 % of the time,
 * 10,000 pages 469 and 520 (+15–26 %, p99 lower), 30,000 pages 625 (+38 %). A checkpoint then
 * copies each hot page once instead of once per 1,000 frames. Durability is the same: a commit
 * is in the WAL either way; a crash replays a longer WAL at the next start.
 */
const WAL_CHECKPOINT_PAGES = 16_384;
/** The WAL file is cut back to this after a checkpoint, so it never stays larger than ~64 MiB. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export function openDatabase(options: DatabaseOptions): OpenedDatabase {
  const url = options.databaseUrl;
  const log = statementLog(options.onStatement);
  if (url && /^postgres(ql)?:\/\//i.test(url)) return openPostgres(url, options.poolSize ?? 10, options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS, log);
  if (url) throw new Error('DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)');
  return openSqlite(options.dataDir, log, options.onStatement);
}

type KyselyLog = KyselyConfig['log'];

/** Kysely's log option, passing on only what the observer needs. */
function statementLog(onStatement: DatabaseOptions['onStatement']): { log?: KyselyLog } {
  if (!onStatement) return {};
  return {
    log: (event) => onStatement({ sql: event.query.sql, durationMs: event.queryDurationMillis, ok: event.level === 'query' }),
  };
}

function openSqlite(dataDir: string, log: { log?: KyselyLog }, onStatement: DatabaseOptions['onStatement']): OpenedDatabase {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'openciba.sqlite');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const cached = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }), ...log });
  return {
    db,
    dialect: 'sqlite',
    location: file,
    hot: sqliteHotPath(sqlite, (sql) => cached.prepare(sql), onStatement),
    // Kysely's destroy skips a driver it never used, which would leave this file open.
    close: async () => {
      await db.destroy();
      if (sqlite.open) sqlite.close();
    },
  };
}

/** The most distinct statements kept prepared; ours are a few dozen shapes. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query afresh; preparing is a large share of SQLite's cost per request.
 * Statements are reusable once run, and Kysely runs one query at a time per connection, so a
 * cache by SQL text is safe.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql) as unknown as SqliteStatement;
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

function openPostgres(url: string, poolSize: number, statementTimeoutMs: number, log: { log?: KyselyLog }): OpenedDatabase {
  // Ids and timestamps are int8; all of ours stay below 2^53, so numbers are exact.
  const types = {
    getTypeParser: (oid: number, format?: string) =>
      oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
  };
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types, statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + CLIENT_TIMEOUT_GRACE_MS });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  // Nor one that is checked out: the pool listens only to idle clients, so a backend terminated
  // mid-query (failover, pg_terminate_backend) would emit an unhandled 'error'. The query in
  // flight fails on its own, and the pool drops the dead client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  const hot = postgresHotPath();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: discardingDeadClients(pool, hot) }), ...log });
  const parsed = new URL(url);
  return {
    db,
    dialect: 'postgres',
    location: `postgres://${parsed.host}${parsed.pathname}`,
    hot,
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: poolSize }),
    // Kysely's destroy skips a driver it never used, which would leave this pool usable.
    close: async () => {
      await db.destroy();
      if (!pool.ending) await pool.end();
    },
  };
}

/**
 * Whether a query error means the session is over: the server ended it (class 57P: terminated,
 * shutting down) or the connection broke (class 08, or a socket error, which has no code).
 */
function endsSession(error: unknown): boolean {
  if (!(error instanceof pg.DatabaseError)) return true;
  return /^(08|57P)/.test(error.code ?? '');
}

/** pg's own query_timeout: the server never answered in time (its statement_timeout did not fire). */
function isClientTimeout(error: unknown): boolean {
  return error instanceof Error && !(error instanceof pg.DatabaseError) && error.message === 'Query read timeout';
}

/**
 * The pool as Kysely sees it, except that a client whose session ended under a query is
 * destroyed on release. Kysely releases without saying why, and pg would hand the dead client
 * to the next query, which would fail too (after a failover, one failure per pooled client).
 */
function discardingDeadClients(pool: pg.Pool, hot: HotPath): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, { client: PostgresPoolClient; dead: boolean; stuck: boolean }>();
  const wrap = (raw: pg.PoolClient) => {
    const wrapper = {
      dead: false,
      stuck: false,
      client: {
        // Only the (sql, parameters) form: the dialect is given no cursor to stream with.
        query: (async <R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> => {
          // A session whose server stopped answering answers nothing more: the ROLLBACK Kysely
          // sends next would otherwise wait out a second timeout before the batch can run again.
          if (wrapper.stuck) throw new Error('the database session stopped answering (query timeout)');
          // Hot statements run as named statements: parsed and planned once per connection.
          const name = hot.statementName(sql);
          try {
            const result = name ? await raw.query({ name, text: sql, values: [...parameters] }) : await raw.query(sql, [...parameters]);
            return result as unknown as PostgresQueryResult<R>;
          } catch (error) {
            if (endsSession(error)) wrapper.dead = true;
            if (isClientTimeout(error)) wrapper.stuck = true;
            throw error;
          }
        }) as PostgresPoolClient['query'],
        release: (destroy?: boolean) => raw.release(destroy === true || wrapper.dead),
      },
    };
    wrappers.set(raw, wrapper);
    return wrapper;
  };
  return {
    async connect() {
      const raw = await pool.connect();
      // The same wrapper for the same client, so that Kysely's per-client state is kept.
      return (wrappers.get(raw) ?? wrap(raw)).client;
    },
    end: () => pool.end(),
  };
}
