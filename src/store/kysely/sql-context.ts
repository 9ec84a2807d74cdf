import type { Kysely } from 'kysely';
import type { DialectName, OpenedDatabase } from '../database.js';
import type { Database } from '../schema.js';
import { tokenInsert, type TokenInsert } from './token-rows.js';

/** What every aggregate of the Kysely store is built on: one per opened database. */
export interface SqlContext {
  db: Kysely<Database>;
  dialect: DialectName;
  /** The prepared token insert, shared by the token store and the completion transactions. */
  insertToken: TokenInsert;
}

export function sqlContext(opened: OpenedDatabase): SqlContext {
  return { db: opened.db, dialect: opened.dialect, insertToken: tokenInsert() };
}
