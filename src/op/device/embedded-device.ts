import type { DecisionOutcome, Decision } from './decide-request.js';

/** What an embedded authentication device is told of a new request. */
export interface DeviceRequest {
  serviceId: number;
  /** The user the request names (the directory's subject). */
  subject: string;
  client: { id: number; name?: string };
  bindingMessage?: string;
  scopes: string[];
  acrs?: string[];
  deliveryMode: string;
  /** Seconds since the epoch: a decision after this is refused. */
  expiresAt: number;
}

/**
 * An authentication device that lives in the embedding program (`createRuntime(config,
 * { authenticationDevice })`), for services whose front settings choose the `embedded` channel.
 * The counterpart of node-oidc-provider's `triggerAuthenticationDevice`: called once for each
 * new request, during the backchannel request, after the request is recorded and before the
 * client gets its `auth_req_id`.
 *
 * `decide` records the user's answer exactly as the simulator or the webhook's `/complete`
 * would (a user locked meanwhile is denied — her lock usually decides it first, and the
 * call answers 409 already_decided; ping/push notifications are queued). It may be
 * called right away, or later (after the program has reached the user its own way), at most
 * once; keep `requestReceived` itself short (see `waitMs`) and decide later for answers that
 * take a user's time. If `requestReceived` throws or rejects, the request fails at once
 * (TRANSACTION_FAILED) so the client is not left polling until expiry. A decision made inside
 * `requestReceived` for a push-mode client is delivered as the client gets its auth_req_id, so
 * the push may arrive before the backchannel response (as with node-oidc-provider).
 *
 * Requests of the `embedded` channel also show in the device simulator's list, where (in
 * development mode, or with the admin token) they can be decided too.
 */
export interface AuthenticationDevice {
  /**
   * How long the backchannel response waits for `requestReceived` to finish, in milliseconds
   * (default 5000). A device still busy after that carries on; the client gets its auth_req_id.
   */
  waitMs?: number;
  requestReceived(request: DeviceRequest, decide: (decision: Decision) => Promise<DecisionOutcome>): Promise<void> | void;
}
