import { sql, type Expression, type ExpressionBuilder, type Kysely, type QueryResult, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Page } from '../ports/page.js';
import type { HotPath } from '../hot-path.js';
import { preparedQuery } from '../prepared-query.js';
import type { Database } from '../schema.js';

/**
 * `column IN (due)` for a claim of queue rows (outbox, expiring device requests). On PostgreSQL
 * the sub-select locks what it picks and skips rows another node holds, and runs as ARRAY(…), an
 * init-plan evaluated once: `column IN (…LIMIT…)` may become a semi-join that reruns the locking
 * sub-select per row and claims far more than `limit` rows (one node hoarding the queue).
 */
export function claimable<DB, TB extends keyof DB & string>(
  dialect: 'sqlite' | 'postgres',
  column: string,
  due: SelectQueryBuilder<DB, TB, Record<string, unknown>>,
): (eb: ExpressionBuilder<DB, TB>) => Expression<SqlBool> {
  return (eb) =>
    dialect === 'postgres'
      ? sql<SqlBool>`${sql.ref(column)} = any(array(${due.forUpdate().skipLocked()}))`
      : eb(sql.ref(column), 'in', due as never);
}

/**
 * One page of a listing: the count over `query`, and the rows `items` selects from it within
 * `[start, end)`.
 */
export async function pageOf<TB extends keyof Database & string, Row, R>(
  query: SelectQueryBuilder<Database, TB, object>,
  items: (query: SelectQueryBuilder<Database, TB, object>) => SelectQueryBuilder<Database, TB, Row>,
  start: number,
  end: number,
  map: (row: Row) => R,
): Promise<Page<R>> {
  const count = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await items(query).offset(start).limit(Math.max(0, end - start)).execute();
  return { totalCount: Number(count.n), items: rows.map(map) };
}

/** Whether a DELETE removed anything. */
export function deletedAny(result: { numDeletedRows: bigint }): boolean {
  return Number(result.numDeletedRows) > 0;
}

/**
 * An insert of whole rows into `table`, compiled once (see preparedQuery). Its columns are the
 * keys of the first row, in their order: give it rows from one mapper, which always has the same keys.
 */
export function preparedInsert<T extends keyof Database & string>(hot: HotPath, table: T): (db: Kysely<Database>, row: Database[T]) => Promise<QueryResult<unknown>> {
  let columns: (keyof Database[T] & string)[] | undefined;
  const insert = preparedQuery(hot, (db: Kysely<Database>, ...values: unknown[]) =>
    db.insertInto(table).values(Object.fromEntries(columns!.map((column, i) => [column, values[i]])) as never));
  return (db, row) => {
    columns ??= Object.keys(row as object) as (keyof Database[T] & string)[];
    return insert(db, ...columns.map((column) => row[column]));
  };
}

/** A UNIQUE constraint failed (SQLite's extended code, PostgreSQL's SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/**
 * Whether a text can be stored at all: PostgreSQL's text cannot hold NUL (it fails the whole
 * statement), so a lookup by such a value can only find nothing — on both databases alike.
 */
export function storableText(value: string): boolean {
  return !value.includes('\u0000');
}
