/** The answer to a claim on a counter: a place under the limit, or when to come back. */
export type AttemptClaim = { granted: true; hits: number } | { granted: false; retryAt: number };

/**
 * Counters that bound attempts per scope (a user's user codes, a client's requests per minute)
 * and a cap on a user's pending requests. Every operation is one atomic statement or one
 * transaction, so concurrent nodes never let more through than the limit.
 */
export interface AttemptLimitStore {
  /**
   * Takes one place in the scope's fixed window of `windowMs` if fewer than `limit` are taken and
   * the scope is not locked; a window that is over (or a lockout that has passed) starts again.
   */
  claimAttempt(scope: string, serviceId: number, limit: number, windowMs: number, now: number): Promise<AttemptClaim>;
  /** Gives back one place (an attempt that turned out not to count). */
  releaseAttempt(scope: string): Promise<void>;
  /** Forgets the scope's counter (a success resets it). */
  clearAttempts(scope: string): Promise<void>;
  /** Locks the scope until `until` if its window holds at least `limit` places; true for the call that locked it. */
  lockAttempts(scope: string, limit: number, until: number, now: number): Promise<boolean>;
  /**
   * Holds a place under the user's cap on pending requests (device requests still pending plus
   * places held), or says when the soonest of them ends. A held place lasts until `holdUntil` or
   * until released.
   */
  reservePending(serviceId: number, subject: string, cap: number, reservationId: string, holdUntil: number, now: number): Promise<AttemptClaim>;
  releasePending(reservationId: string): Promise<void>;
  /**
   * claimAttempt on the user's request counter `rateScope` and, if granted, reservePending, in one
   * transaction; the refusal says which limit refused. The counter's row (the user's own) is what
   * holds concurrent reservations in line here, not reservePending's lock row: all of one user's
   * reservations go through one of the two methods (the front uses this one).
   */
  claimRequestPlace(
    rateScope: string,
    serviceId: number,
    subject: string,
    rateLimit: number,
    windowMs: number,
    cap: number,
    reservationId: string,
    holdUntil: number,
    now: number,
  ): Promise<{ granted: true; hits: number } | { granted: false; limit: 'rate' | 'pending'; retryAt: number }>;
}
