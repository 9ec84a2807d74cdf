import type { Keyring } from '../../lib/keyring.js';
import type { OutboxRecord } from '../../store/ports.js';

/** How many leading characters of an auth_req_id operators may see (enough to correlate, too few to use). */
export const AUTH_REQ_ID_PREFIX_LENGTH = 6;

export interface PingOrPushInput {
  id: string;
  serviceId: number;
  /** The client notified: deleting it cancels the notification while it is pending. */
  clientId?: number;
  /** The user whose tokens a push carries: locking or deleting her cancels it while it is pending. */
  subject?: string;
  kind: 'ping' | 'push';
  /** The client's `backchannel_client_notification_endpoint`. */
  endpoint: string;
  clientNotificationToken: string;
  /**
   * Ping: `{ auth_req_id }` only (CIBA §10.2). Push: the token response or error plus
   * `auth_req_id` (CIBA §10.3). A string is taken as JSON text, sent byte for byte.
   */
  body: Record<string, unknown> | string;
  now: number;
  /** When to give up (normally the auth_req_id's expiry), in ms. */
  expiresAt: number;
}

export interface WebhookInput {
  id: string;
  serviceId: number;
  /** The client whose request the webhook is about: deleting it cancels the webhook while it is pending. */
  clientId?: number;
  /** The user the request asks: locking or deleting her cancels the webhook while it is pending. */
  subject?: string;
  endpoint: string;
  body: Record<string, unknown> | string;
  now: number;
  expiresAt: number;
  /** A full `Authorization` header value to send, if the receiver wants one. */
  authorization?: string;
  /** The auth_req_id the webhook is about; only its first characters reach the summary. */
  authReqId?: string;
  /** More facts for operators (an event name, a subject). They are stored in clear: no secrets. */
  summary?: Record<string, unknown>;
}

/** Builds the ping body of CIBA §10.2, with `auth_req_id` as its only member. */
export function pingBody(authReqId: string): Record<string, unknown> {
  return { auth_req_id: authReqId };
}

function bodyText(body: Record<string, unknown> | string): { text: string; parsed: unknown } {
  if (typeof body === 'string') return { text: body, parsed: JSON.parse(body) as unknown };
  return { text: JSON.stringify(body), parsed: body };
}

function authReqIdOf(parsed: unknown): string | undefined {
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const value = (parsed as Record<string, unknown>).auth_req_id;
  return typeof value === 'string' ? value : undefined;
}

function endpointHost(endpoint: string): string | null {
  try {
    return new URL(endpoint).host;
  } catch {
    return null;
  }
}

function pending(input: { id: string; serviceId: number; clientId?: number; subject?: string; endpoint: string; now: number; expiresAt: number }): Omit<
  OutboxRecord,
  'kind' | 'authorizationSealed' | 'bodySealed' | 'summary'
> {
  return {
    id: input.id,
    serviceId: input.serviceId,
    ...(input.clientId === undefined ? {} : { clientId: input.clientId }),
    ...(input.subject === undefined ? {} : { subject: input.subject }),
    endpoint: input.endpoint,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: input.now,
    claimedUntil: null,
    lastError: null,
    createdAt: input.now,
    expiresAt: input.expiresAt,
    finishedAt: null,
  };
}

/**
 * An outbox row for a ping or push notification: `Authorization: Bearer <token>` and the body
 * sealed, the summary holding only the kind, the endpoint's host and an auth_req_id prefix.
 */
export function pingOrPushRecord(input: PingOrPushInput, keyring: Keyring): OutboxRecord {
  const { text, parsed } = bodyText(input.body);
  const authReqId = authReqIdOf(parsed);
  if (authReqId === undefined) throw new TypeError(`a ${input.kind} body must carry auth_req_id`);
  if (input.kind === 'ping' && Object.keys(parsed as object).length !== 1) {
    throw new TypeError('a ping body carries auth_req_id and nothing else');
  }
  return {
    ...pending(input),
    kind: input.kind,
    authorizationSealed: keyring.seal(`Bearer ${input.clientNotificationToken}`),
    bodySealed: keyring.seal(text),
    summary: {
      kind: input.kind,
      endpointHost: endpointHost(input.endpoint),
      authReqIdPrefix: authReqId.slice(0, AUTH_REQ_ID_PREFIX_LENGTH),
    },
  };
}

/** An outbox row for a webhook to the service's own application; the dispatcher signs it at send time. */
export function webhookRecord(input: WebhookInput, keyring: Keyring): OutboxRecord {
  const { text, parsed } = bodyText(input.body);
  const authReqId = input.authReqId ?? authReqIdOf(parsed);
  return {
    ...pending(input),
    kind: 'webhook',
    authorizationSealed: input.authorization === undefined ? null : keyring.seal(input.authorization),
    bodySealed: keyring.seal(text),
    summary: {
      ...input.summary,
      kind: 'webhook',
      endpointHost: endpointHost(input.endpoint),
      ...(authReqId === undefined ? {} : { authReqIdPrefix: authReqId.slice(0, AUTH_REQ_ID_PREFIX_LENGTH) }),
    },
  };
}

export interface WebPushInput {
  id: string;
  serviceId: number;
  clientId?: number;
  /** The user the push is for: locking or deleting her cancels it while it is pending. */
  subject: string;
  /** The push service's endpoint of the subscription (RFC 8030). */
  endpoint: string;
  /** The subscription's `p256dh` and `auth`, and the plaintext; encrypted (RFC 8291) only when sent. */
  message: { p256dh: string; auth: string; payload: string; topic: string };
  now: number;
  expiresAt: number;
  deviceId: string;
}

/** An outbox row for a Web Push message to an authenticator device; everything but the host is sealed. */
export function webPushRecord(input: WebPushInput, keyring: Keyring): OutboxRecord {
  return {
    ...pending(input),
    kind: 'webpush',
    authorizationSealed: null,
    bodySealed: keyring.seal(JSON.stringify(input.message)),
    summary: { kind: 'webpush', endpointHost: endpointHost(input.endpoint), deviceId: input.deviceId },
  };
}
