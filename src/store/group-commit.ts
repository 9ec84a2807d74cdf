import type { Kysely } from 'kysely';

/**
 * A unit of writes: statements on the transaction it is given, and nothing else. It may run more
 * than once (see below), so it must not touch anything outside the database, nor use another
 * connection (on SQLite that would wait for the very transaction it is in).
 */
export type WriteUnit<DB, T> = (trx: Kysely<DB>) => Promise<T>;

export interface GroupCommitStats {
  /** Transactions committed for more than one unit, and the units in them. */
  batches: number;
  batchedUnits: number;
  /** Batches rolled back because one unit failed, whose units then ran alone. */
  retriedBatches: number;
}

export interface GroupCommit<DB> {
  /**
   * Runs `unit` in the next group transaction; resolves once that transaction has committed.
   * `oneStatement`: the unit is a single statement, which needs no transaction of its own when
   * it runs alone (at low load: no BEGIN and COMMIT around it, two round trips on PostgreSQL).
   */
  write<T>(unit: WriteUnit<DB, T>, options?: WriteOptions): Promise<T>;
  /** Waits until every queued unit has run. */
  drain(): Promise<void>;
  stats(): GroupCommitStats;
}

/** Units per transaction at most: a failed batch runs its units again one by one. */
const MAX_BATCH = 128;

export interface WriteOptions {
  oneStatement?: boolean;
}

interface Queued<DB> {
  unit: WriteUnit<DB, unknown>;
  oneStatement: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit. The cost of a durable write is mostly its commit (SQLite: the WAL frames of every
 * page it dirtied, and a transaction per statement outside one; PostgreSQL: a round trip and a WAL
 * flush), so writes that arrive together share one: a unit queued while a batch is committing, or
 * in the same event-loop turn, goes into the next transaction. Each caller's promise settles only
 * after that transaction committed, so an answer that follows it is durable exactly as before.
 *
 * One batch runs at a time: on SQLite there is one connection anyway, and on PostgreSQL units of
 * concurrent batches could take row locks in opposite orders. If one unit fails, the batch is
 * rolled back and each of its units runs again in a transaction of its own, so a failure reaches
 * only its own caller, with the error it would have had alone.
 */
export function groupCommit<DB>(db: Kysely<DB>): GroupCommit<DB> {
  const queue: Queued<DB>[] = [];
  const stats: GroupCommitStats = { batches: 0, batchedUnits: 0, retriedBatches: 0 };
  let running: Promise<void> | undefined;
  let scheduled = false;

  const alone = async (q: Queued<DB>) => {
    try {
      q.resolve(await (q.oneStatement ? q.unit(db) : db.transaction().execute((trx) => q.unit(trx))));
    } catch (error) {
      q.reject(error);
    }
  };

  const runBatch = async (batch: Queued<DB>[]) => {
    if (batch.length === 1) return alone(batch[0]!);
    let results: unknown[];
    try {
      results = await db.transaction().execute(async (trx) => {
        const out: unknown[] = [];
        for (const q of batch) out.push(await q.unit(trx));
        // A unit that caught a failed statement leaves a PostgreSQL transaction aborted; its
        // COMMIT then rolls back, which Kysely's driver reports as an error (AbortedTransactionError).
        return out;
      });
    } catch {
      // Nothing of the batch is on disk; which unit failed, and why, each learns alone.
      stats.retriedBatches++;
      for (const q of batch) await alone(q);
      return;
    }
    stats.batches++;
    stats.batchedUnits += batch.length;
    batch.forEach((q, i) => q.resolve(results[i]));
  };

  const kick = () => {
    if (running || scheduled || queue.length === 0) return;
    scheduled = true;
    // After the I/O callbacks of this turn: the writes of requests that arrived together.
    setImmediate(() => {
      scheduled = false;
      running = runBatch(queue.splice(0, MAX_BATCH)).finally(() => {
        running = undefined;
        kick();
      });
    });
  };

  return {
    write<T>(unit: WriteUnit<DB, T>, options: WriteOptions = {}): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ unit, oneStatement: options.oneStatement === true, resolve: resolve as (value: unknown) => void, reject });
        kick();
      });
    },
    async drain() {
      while (running || scheduled || queue.length > 0) {
        if (running) await running;
        else await new Promise<void>((r) => setImmediate(r));
      }
    },
    stats: () => ({ ...stats }),
  };
}
