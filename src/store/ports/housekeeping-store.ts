export interface PurgeCounts {
  backchannelRequests: number;
  tokens: number;
  usedJtis: number;
  outbox: number;
  frontRequests: number;
  /** Attempt counters whose window and lockout are over. */
  attemptCounters: number;
  /** Pending-request places held by a node that never released them. */
  requestReservations: number;
  /** Authenticator challenges and enrolment codes past their expiry, and suspensions that have ended. */
  authenticatorCeremonies: number;
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
   * transactions, expired tokens, expired JWT ids, finished outbox rows, old device requests, and attempt counters and
   * reservations that no longer count.
   * Idempotent, so several nodes may run it at once.
   */
  purgeExpired(now: number, retention: Retention, batch: number): Promise<PurgeCounts>;
}
