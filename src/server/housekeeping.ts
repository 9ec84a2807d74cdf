import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../lib/clock.js';
import type { HousekeepingStore } from '../store/ports.js';

export const HOUSEKEEPING_INTERVAL_MS = 60_000;
const RETENTION = {
  /** Delivered or failed notifications stay visible for a day. */
  finishedMs: 24 * 60 * 60 * 1000,
  /** Expired transactions linger an hour, so late callers get a clear answer. */
  transactionsMs: 60 * 60 * 1000,
};
const BATCH = 1000;

/**
 * Purges what has expired, in bounded batches, until a pass deletes nothing or the pass budget
 * is used. Safe on every node at once: every statement is an idempotent DELETE.
 */
export async function runHousekeeping(store: HousekeepingStore, clock: Clock, maxBatches = 20): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const counts = await store.purgeExpired(clock.now(), RETENTION, BATCH);
    const deleted = Object.values(counts).reduce((a, b) => a + b, 0);
    total += deleted;
    if (deleted === 0) break;
  }
  return total;
}

/** Runs housekeeping every `intervalMs` (tests shorten it) until the returned stop is called. */
export function startHousekeeping(store: HousekeepingStore, clock: Clock, log: FastifyBaseLogger, intervalMs = HOUSEKEEPING_INTERVAL_MS): () => Promise<void> {
  return repeatEvery(intervalMs, async () => {
    const n = await runHousekeeping(store, clock);
    if (n > 0) log.info({ deleted: n }, 'housekeeping purged expired rows');
  }, (error) => log.warn({ err: error }, 'housekeeping failed'));
}

/**
 * Runs `task` every `intervalMs`, one run at a time (the next is timed from the end of the last),
 * until the returned stop is called; stopping waits for a run in progress.
 */
export function repeatEvery(intervalMs: number, task: () => Promise<void>, onError: (error: unknown) => void): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const loop = () => {
    running = task()
      .catch(onError)
      .finally(() => {
        if (timer) timer = setTimeout(loop, intervalMs).unref();
      });
  };
  timer = setTimeout(loop, intervalMs).unref();
  return async () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    await running;
  };
}
