export interface PurgeCounts {
  backchannelRequests: number;
  tokens: number;
  usedJtis: number;
  outbox: number;
  frontRequests: number;
}

export interface Retention {
  /** How long delivered or failed notifications stay. */
  finishedMs: number;
  /** How long expired transactions and device requests stay. */
  transactionsMs: number;
}

export interface HousekeepingStore {
  /**
   * Deletes what can no longer matter, at most `batch` rows per table and call: expired
   * transactions, expired tokens, expired JWT ids, finished outbox rows and old device requests.
   * Idempotent, so several nodes may run it at once.
   */
  purgeExpired(now: number, retention: Retention, batch: number): Promise<PurgeCounts>;
}
