import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { HotPath } from './hot-path.js';

/**
 * A hot statement: built with Kysely once, then run as compiled SQL with new arguments, straight
 * on the driver where it may (hot-path.ts). Building and compiling a query tree costs more than
 * SQLite takes to run a keyed lookup, so the statements every flow runs skip it. The first call
 * builds the query with marker arguments and learns where each argument lands among the
 * compiled parameters (constants in the query stay as compiled). The SQL depends on the
 * dialect: make one per store, with that store's hot path.
 */
export function preparedQuery<Args extends unknown[], Row>(
  hot: HotPath,
  build: (db: Kysely<any>, ...args: Args) => Compilable<Row>,
): (db: Kysely<any>, ...args: Args) => Promise<QueryResult<Row>> {
  let compiled: { sql: string; slots: ({ arg: number } | { value: unknown })[] } | undefined;
  return (db, ...args) => {
    if (!compiled) {
      const markers = args.map((_, i) => `\u0000openciba-arg-${i}\u0000`) as unknown as Args;
      const query = build(db, ...markers).compile();
      compiled = {
        sql: query.sql,
        slots: query.parameters.map((p) => {
          const arg = (markers as unknown[]).indexOf(p);
          return arg >= 0 ? { arg } : { value: p };
        }),
      };
      const slots = compiled.slots;
      if (!args.every((_, i) => slots.some((s) => 'arg' in s && s.arg === i))) {
        throw new Error(`preparedQuery: every argument must be a parameter of the query: ${query.sql}`);
      }
      hot.register(compiled.sql);
    }
    const parameters = compiled.slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.value));
    return hot.run<Row>(db, compiled.sql, parameters) ?? db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters));
  };
}
