import type { OutboxRecord } from './outbox-store.js';
import type { TokenRecord } from './token-store.js';

export type BackchannelStatus = 'identified' | 'issued' | 'authorized' | 'denied' | 'failed' | 'consumed';

/** One CIBA transaction, from /backchannel/authentication to the token response. */
export interface BackchannelRequestRecord {
  id: string;
  ticketDigest: string;
  authReqIdDigest: string | null;
  authReqIdSealed: string | null;
  serviceId: number;
  clientId: number;
  status: BackchannelStatus;
  deliveryMode: 'POLL' | 'PING' | 'PUSH';
  request: Record<string, unknown>;
  result: Record<string, unknown> | null;
  /** Seconds between polls; raised by slow_down. */
  interval: number;
  /** The last token request that counted as a poll; once consumed, when it was redeemed. */
  lastPolledAt: number | null;
  createdAt: number;
  /** Ticket expiry before /issue, auth_req_id expiry after. */
  expiresAt: number;
}

export interface BackchannelRequestStore {
  createBackchannelRequest(record: BackchannelRequestRecord): Promise<void>;
  findBackchannelRequestByTicket(serviceId: number, ticketDigest: string): Promise<BackchannelRequestRecord | undefined>;
  findBackchannelRequestByAuthReqId(serviceId: number, authReqIdDigest: string): Promise<BackchannelRequestRecord | undefined>;
  /**
   * identified → issued, only while the request is unexpired; undefined otherwise. The request's
   * lifetime and interval were fixed when it was created.
   */
  issueAuthReqId(serviceId: number, ticketDigest: string, authReqId: { digest: string; sealed: string }, now: number): Promise<BackchannelRequestRecord | undefined>;
  /** /fail: deletes a request that has not been issued an auth_req_id yet. */
  deleteBackchannelRequest(serviceId: number, ticketDigest: string): Promise<boolean>;
  /**
   * issued → `status` with the result, only once and only while the request is unexpired at
   * `unexpiredAt` (expiresAt > unexpiredAt). That is the completion's time, except for the final
   * TRANSACTION_FAILED of a request that has just expired, which the engine lets in for a short
   * grace after expiry (it passes an earlier instant). With `tokens` (push), the tokens are stored
   * in the same transaction and the request is consumed at once; with `outbox`, the notification
   * is written in that transaction too. `subject` (the user an AUTHORIZED completion names) is
   * kept with the request, so that locking or deleting her revokes it until it is redeemed.
   */
  completeBackchannelRequest(
    serviceId: number,
    ticketDigest: string,
    status: 'authorized' | 'denied' | 'failed' | 'consumed',
    result: Record<string, unknown>,
    unexpiredAt: number,
    tokens?: TokenRecord,
    outbox?: OutboxRecord,
    subject?: string,
  ): Promise<BackchannelRequestRecord | undefined>;
  /**
   * Records a token-endpoint poll; when it comes sooner than the interval after the previous
   * one, the interval grows by `penalty` seconds (CIBA §11 slow_down). Returns the interval now in force.
   */
  recordPoll(id: string, now: number, penalty: number): Promise<number | undefined>;
  /**
   * authorized → consumed with the tokens stored and the redemption time kept (`lastPolledAt`),
   * atomically; false when someone else won or it expired.
   */
  consumeAuthorizedRequest(id: string, now: number, tokens: TokenRecord): Promise<boolean>;
}
