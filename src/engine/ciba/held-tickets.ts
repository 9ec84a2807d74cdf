import type { BackchannelRequestRecord } from '../../store/ports.js';

/** Long enough for the front to identify the user between /backchannel/authentication and /issue. */
const HOLD_MS = 30_000;
/** Far above what one node holds at once (one per backchannel request in flight). */
const MAX_HELD = 10_000;

/**
 * Requests that passed /backchannel/authentication for OpenCIBA's own in-process front, kept in
 * this process's memory until the front's /issue or /fail — which come from the same process,
 * during the same HTTP request, because the front never hands the ticket out before /issue.
 * Storing the request at /issue then costs one insert instead of an insert and an update (a
 * third of the backchannel request's writes). Nothing is lost if the process dies in between:
 * the client has no auth_req_id yet. A request whose front failed in between is forgotten after
 * HOLD_MS. Other callers (the HTTP API, untrusted in-process callers) get stored tickets, as
 * Authlete's API promises: any node may call /issue.
 */
export class HeldTickets {
  private readonly held = new Map<string, { record: BackchannelRequestRecord; until: number }>();

  hold(record: BackchannelRequestRecord, now: number): void {
    this.forgetExpired(now);
    // Bounded whatever happens between /backchannel/authentication and /issue: the oldest goes.
    if (this.held.size >= MAX_HELD) this.held.delete(this.held.keys().next().value as string);
    this.held.set(record.ticketDigest, { record, until: now + HOLD_MS });
  }

  /** Removes and returns the held request of this service with this ticket digest, if any. */
  take(serviceId: number, ticketDigest: string): BackchannelRequestRecord | undefined {
    const entry = this.held.get(ticketDigest);
    if (!entry || entry.record.serviceId !== serviceId) return undefined;
    this.held.delete(ticketDigest);
    return entry.record;
  }

  get size(): number {
    return this.held.size;
  }

  // Entries are added in time order with the same hold, so the expired ones come first.
  private forgetExpired(now: number): void {
    for (const [digest, entry] of this.held) {
      if (entry.until > now) break;
      this.held.delete(digest);
    }
  }
}
