import type { Clock } from '../../lib/clock.js';
import type { OutboxQueue } from '../../store/ports.js';

/** One claim's rows that are not finished yet, and the lease they all hold (one claim, one lease). */
export interface HeldBatch {
  ids: Set<string>;
  /** The held rows whose delivery has begun: a stop hands back only the others. */
  started: Set<string>;
  heldUntil: number;
}

/**
 * Keeps the leases of the rows a live dispatcher holds short and fresh: every heartbeat moves
 * them `leaseMs` ahead, so a node that dies stops renewing and another node takes its rows once
 * `leaseMs` has run out (seconds, not the length of a whole run). A row another node took while
 * a renewal was late is dropped from the batch and not sent here.
 */
export class LeaseKeeper {
  private readonly batches = new Set<HeldBatch>();
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: OutboxQueue,
    private readonly clock: Clock,
    private readonly leaseMs: number,
    private readonly heartbeatMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  hold(ids: string[], heldUntil: number): HeldBatch {
    const batch = { ids: new Set(ids), started: new Set<string>(), heldUntil };
    this.batches.add(batch);
    if (!this.timer) {
      this.timer = setInterval(() => void this.renew(), this.heartbeatMs);
      this.timer.unref();
    }
    return batch;
  }

  /** Whether this node still holds the row and its lease has not run out. */
  holds(batch: HeldBatch, id: string): boolean {
    return batch.ids.has(id) && this.clock.now() < batch.heldUntil;
  }

  start(batch: HeldBatch, id: string): void {
    batch.started.add(id);
  }

  finished(batch: HeldBatch, id: string): void {
    batch.ids.delete(id);
    batch.started.delete(id);
  }

  /** On stop: every batch's rows not started are handed back now, not when the deliveries in flight end. */
  async releaseUnstarted(): Promise<void> {
    await this.renewing;
    for (const batch of this.batches) {
      const ids = [...batch.ids].filter((id) => !batch.started.has(id));
      for (const id of ids) batch.ids.delete(id);
      if (ids.length > 0) await this.store.releaseOutboxLeases(ids, batch.heldUntil);
    }
  }

  /** The batch's rows not sent: the lease is given up so that another node need not wait it out. */
  async release(batch: HeldBatch): Promise<void> {
    this.batches.delete(batch);
    if (this.batches.size === 0) this.stopTimer();
    const ids = [...batch.ids];
    batch.ids.clear();
    await this.renewing;
    await this.store.releaseOutboxLeases(ids, batch.heldUntil);
  }

  /** Drops a batch whose rows are all recorded. */
  done(batch: HeldBatch): void {
    this.batches.delete(batch);
    if (this.batches.size === 0) this.stopTimer();
  }

  renew(): Promise<void> {
    const run = this.renewing.then(async () => {
      for (const batch of this.batches) {
        if (batch.ids.size === 0) continue;
        const until = this.clock.now() + this.leaseMs;
        try {
          const renewed = new Set(await this.store.renewOutboxLeases([...batch.ids], batch.heldUntil, until));
          for (const id of batch.ids) if (!renewed.has(id)) batch.ids.delete(id);
          batch.heldUntil = until;
        } catch (error) {
          // The lease runs out on its own; rows not yet started are then skipped here.
          this.onError(error);
        }
      }
    });
    this.renewing = run;
    return run;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
