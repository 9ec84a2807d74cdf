import type { BackchannelAuthenticationCompleteResult } from '../../wire/ciba-types.js';
import type { OutboxRecord } from '../../store/ports.js';

/** What a ping or push notification must carry, for a front that keeps a durable outbox. */
export interface PendingNotification {
  kind: 'ping' | 'push';
  endpoint: string;
  clientNotificationToken: string;
  body: string;
  /** Epoch ms: no point delivering after the request expired. */
  expiresAt: number;
  serviceId: number;
  /** The client notified (its deletion cancels the pending notification). */
  clientId: number;
  authReqId: string;
  /** The user whose tokens a push carries. */
  subject?: string;
}

/**
 * The port through which a front running in this process takes part in `/complete` for the
 * requests it manages (it identified the user and shows the request on a device channel). The
 * engine knows nothing of the front's tables: it asks, and stores what it is given.
 */
export interface ManagedRequests {
  /** The front's part in completing this request, or undefined when the front does not manage it. */
  completion(serviceId: number, authReqIdDigest: string): Promise<ManagedCompletion | undefined>;
}

export interface ManagedCompletion {
  /** The device channel the front showed the request on (for the audit trail). */
  channel: string;
  /**
   * The notification of this completion as an outbox row, which the engine writes in the same
   * transaction as the result, so that a recorded result always has its notification.
   */
  notification(notification: PendingNotification): OutboxRecord;
  /**
   * Whether the front's directory still lets this request's user (and `subject`, the one the
   * completion names) be authenticated. An AUTHORIZED completion for a locked or deleted user is
   * recorded as ACCESS_DENIED: no tokens are minted or pushed for her.
   */
  mayAuthorize(subject: string | undefined): Promise<boolean>;
  /** The completion was recorded with this result: the front marks its own request decided. */
  completed(result: BackchannelAuthenticationCompleteResult): Promise<void>;
}
