import type { Kysely } from 'kysely';

/**
 * A unit of writes: statements on the transaction it is given, and nothing else. It may run more
 * than once (see below), so it must not touch anything outside the database, nor use another
 * connection (on SQLite that would wait for the very transaction it is in).
 */
export type WriteUnit<DB, T> = (trx: Kysely<DB>) => Promise<T>;

/**
 * Work a batch does once, after its units, for every item queued into it: the audit events of
 * the batch's requests, say, linked into their chains with one read of each chain's head. It
 * runs on the batch's transaction under the same rules as a unit (it may run again, alone).
 */
export interface BatchTail<DB, Item> {
  run(trx: Kysely<DB>, items: Item[]): Promise<void>;
}

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
  /**
   * Queues `item` for `tail` in the next group transaction, after that batch's units; resolves
   * once it committed. Items of one tail run in the order they were queued.
   */
  append<Item>(tail: BatchTail<DB, Item>, item: Item): Promise<void>;
  /** Waits until every queued unit has run. */
  drain(): Promise<void>;
  stats(): GroupCommitStats;
}

/** Units per transaction at most: a failed batch runs its units again one by one. */
const MAX_BATCH = 128;

export interface WriteOptions {
  oneStatement?: boolean;
}

interface QueuedUnit<DB> {
  unit: WriteUnit<DB, unknown>;
  oneStatement: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface QueuedItem<DB> {
  tail: BatchTail<DB, unknown>;
  item: unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Queued<DB> = QueuedUnit<DB> | QueuedItem<DB>;

const isItem = <DB>(q: Queued<DB>): q is QueuedItem<DB> => 'tail' in q;

/** The batch's tail items by tail, each tail's in queue order; tails in the order they first appear. */
function byTail<DB>(items: QueuedItem<DB>[]): Map<BatchTail<DB, unknown>, QueuedItem<DB>[]> {
  const groups = new Map<BatchTail<DB, unknown>, QueuedItem<DB>[]>();
  for (const q of items) {
    const group = groups.get(q.tail);
    if (group) group.push(q);
    else groups.set(q.tail, [q]);
  }
  return groups;
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
 * only its own caller, with the error it would have had alone. Tail items (BatchTail) run after
 * the units, each tail once for all its items; alone, an item is a transaction of its own.
 */
export function groupCommit<DB>(db: Kysely<DB>): GroupCommit<DB> {
  const queue: Queued<DB>[] = [];
  const stats: GroupCommitStats = { batches: 0, batchedUnits: 0, retriedBatches: 0 };
  let running: Promise<void> | undefined;
  let scheduled = false;

  const alone = async (q: Queued<DB>) => {
    try {
      if (isItem(q)) q.resolve(await db.transaction().execute((trx) => q.tail.run(trx, [q.item])));
      else q.resolve(await (q.oneStatement ? q.unit(db) : db.transaction().execute((trx) => q.unit(trx))));
    } catch (error) {
      q.reject(error);
    }
  };

  const runBatch = async (batch: Queued<DB>[]) => {
    if (batch.length === 1) return alone(batch[0]!);
    const units = batch.filter((q): q is QueuedUnit<DB> => !isItem(q));
    const tails = byTail(batch.filter(isItem));
    let results: unknown[];
    try {
      results = await db.transaction().execute(async (trx) => {
        const out: unknown[] = [];
        for (const q of units) out.push(await q.unit(trx));
        for (const [tail, items] of tails) await tail.run(trx, items.map((q) => q.item));
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
    units.forEach((q, i) => q.resolve(results[i]));
    for (const items of tails.values()) for (const q of items) q.resolve(undefined);
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
    append<Item>(tail: BatchTail<DB, Item>, item: Item): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queue.push({ tail: tail as BatchTail<DB, unknown>, item, resolve: resolve as (value: unknown) => void, reject });
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
