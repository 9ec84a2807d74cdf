import type { Kysely } from 'kysely';
import type { DialectName, OpenedDatabase } from '../database.js';
import type { HotPath } from '../hot-path.js';
import { groupCommit, type GroupCommit, type WriteOptions, type WriteUnit } from '../group-commit.js';
import type { Database } from '../schema.js';
import { tokenInsert, type TokenInsert } from './token-rows.js';

/** What every aggregate of the Kysely store is built on: one per opened database. */
export interface SqlContext {
  db: Kysely<Database>;
  dialect: DialectName;
  /**
   * Runs a unit of writes in the next group transaction (group-commit.ts) and resolves once it
   * committed. Every write a request waits for goes through here, so that the writes of requests
   * that arrive together share one commit; reads go to `db` directly.
   */
  write<T>(unit: WriteUnit<Database, T>, options?: WriteOptions): Promise<T>;
  /** `write` for a unit that is one statement (see WriteOptions). */
  writeOne<T>(unit: WriteUnit<Database, T>): Promise<T>;
  writes: GroupCommit<Database>;
  /** Where the hot statements (prepared-query.ts) reach the driver. */
  hot: HotPath;
  /** The prepared token insert, shared by the token store and the completion transactions. */
  insertToken: TokenInsert;
}

export function sqlContext(opened: OpenedDatabase): SqlContext {
  const writes = groupCommit(opened.db);
  return { db: opened.db, dialect: opened.dialect, write: (unit, options) => writes.write(unit, options), writeOne: (unit) => writes.write(unit, { oneStatement: true }), writes, hot: opened.hot, insertToken: tokenInsert(opened.hot) };
}
