export type FrontRequestStatus = 'pending' | 'allowed' | 'denied' | 'failed';

/** A request waiting on a user's authentication device (simulator, webhook or embedded). */
export interface FrontRequestRecord {
  authReqIdDigest: string;
  serviceId: number;
  subject: string;
  clientId: number;
  ticketSealed: string;
  authReqIdSealed: string;
  /** What the device shows: client name, binding message, scopes, acrs, delivery mode. */
  details: Record<string, unknown>;
  status: FrontRequestStatus;
  channel: 'simulator' | 'webhook' | 'embedded' | 'authenticator';
  createdAt: number;
  expiresAt: number;
}

/**
 * What an operator lists (the console's live requests): a state as the operator sees it, where
 * `expired` covers a pending request past its expiry (not swept yet) and one the sweep failed.
 */
export type FrontRequestState = 'pending' | 'approved' | 'denied' | 'expired';

export interface FrontRequestFilter {
  state?: FrontRequestState;
  subject?: string;
  clientId?: number;
  /** Keyset paging, newest first: only requests strictly before this one (created_at, then digest). */
  before?: { createdAt: number; authReqIdDigest: string };
}

export interface FrontRequestStore {
  /**
   * Stores a new device request. `releaseReservation`: the place under the user's pending cap
   * that the request was admitted on (AttemptLimitStore.claimRequestPlace) is released in the
   * same write — the request's row takes over the place at once, and one commit serves both.
   */
  createFrontRequest(record: FrontRequestRecord, options?: { releaseReservation?: string }): Promise<void>;
  findFrontRequest(serviceId: number, authReqIdDigest: string): Promise<FrontRequestRecord | undefined>;
  listPendingFrontRequests(serviceId: number, subject: string | undefined, now: number, limit: number): Promise<FrontRequestRecord[]>;
  /** Every state, newest first, `limit` at most; `now` tells a pending request from an expired one. */
  listFrontRequests(serviceId: number, filter: FrontRequestFilter, now: number, limit: number): Promise<FrontRequestRecord[]>;
  /** pending → `status`, once and only before expiry; undefined when someone decided first or it expired. */
  decideFrontRequest(serviceId: number, authReqIdDigest: string, status: 'allowed' | 'denied' | 'failed', now: number): Promise<FrontRequestRecord | undefined>;
  /** Undoes a decision (or a failure) whose completion failed, so that it can be decided (or swept) again. */
  reopenFrontRequest(serviceId: number, authReqIdDigest: string): Promise<void>;
  /** Takes pending requests that have expired by `horizon` (expiresAt ≤ horizon; pending → failed) for the expiry sweep; safe on several nodes. */
  claimExpiringFrontRequests(horizon: number, limit: number): Promise<FrontRequestRecord[]>;
}
