/** Row types of every table, as both adapters see them. Timestamps are epoch milliseconds. */
export interface Database {
  meta: MetaTable;
  counters: CountersTable;
  services: ServicesTable;
  clients: ClientsTable;
  api_tokens: ApiTokensTable;
  users: UsersTable;
  backchannel_requests: BackchannelRequestsTable;
  tokens: TokensTable;
  used_jtis: UsedJtisTable;
  front_settings: FrontSettingsTable;
  front_requests: FrontRequestsTable;
  outbox: OutboxTable;
  attempt_counters: AttemptCountersTable;
  request_reservations: RequestReservationsTable;
  authenticator_enrolments: AuthenticatorEnrolmentsTable;
  authenticator_devices: AuthenticatorDevicesTable;
  authenticator_subscriptions: AuthenticatorSubscriptionsTable;
  authenticator_challenges: AuthenticatorChallengesTable;
  authenticator_vapid_keys: AuthenticatorVapidKeysTable;
  authenticator_suspensions: AuthenticatorSuspensionsTable;
  authenticator_evidence: AuthenticatorEvidenceTable;
  audit_events: AuditEventsTable;
  audit_heads: AuditHeadsTable;
}

export interface MetaTable {
  name: string;
  value: string;
}

export interface CountersTable {
  name: string;
  value: number;
}

export interface ServicesTable {
  api_key: number;
  number: number;
  /** The Service JSON without `apiKey`, `number`, timestamps and `jwks`. */
  data: string;
  /** The service's private JWK Set, sealed with the master key. */
  jwks_sealed: string | null;
  created_at: number;
  modified_at: number;
}

export interface ClientsTable {
  client_id: number;
  service_id: number;
  number: number;
  developer: string | null;
  /** The Client JSON without ids, secret and timestamps. */
  data: string;
  /** The client secret, sealed: it is shown again on `get` and keys client_secret_jwt. */
  secret_sealed: string;
  /** A custom `clientIdAlias` (not the default: the id's digits), unique within the service. */
  client_id_alias: string | null;
  created_at: number;
  modified_at: number;
}

export interface ApiTokensTable {
  /** Keyed SHA-256 digest of the token, base64url. */
  digest: string;
  /** null for the organization token, else the one service the token may act on. */
  service_id: number | null;
  description: string | null;
  created_at: number;
}

export interface UsersTable {
  service_id: number;
  subject: string;
  email: string | null;
  phone_number: string | null;
  /** 'active' | 'locked' */
  status: string;
  /** Other claims and the optional user code's salted hash, as JSON. */
  data: string;
  created_at: number;
  modified_at: number;
}

export interface BackchannelRequestsTable {
  id: string;
  ticket_digest: string;
  auth_req_id_digest: string | null;
  auth_req_id_sealed: string | null;
  service_id: number;
  client_id: number;
  status: string;
  delivery_mode: string;
  /** The validated authentication request, as JSON. */
  request: string;
  /** What /complete recorded, as JSON. */
  result: string | null;
  /** The user an AUTHORIZED completion named (0007): locking or deleting her revokes the request. */
  subject: string | null;
  interval: number;
  /** The last token request that counted as a poll; once consumed, when it was redeemed. */
  last_polled_at: number | null;
  created_at: number;
  expires_at: number;
}

export interface TokensTable {
  id: string;
  access_token_digest: string;
  refresh_token_digest: string | null;
  service_id: number;
  client_id: number;
  subject: string | null;
  grant_id: string | null;
  grant_type: string;
  /** Scopes, claims, properties, acr, auth time, durations, as JSON. */
  data: string;
  access_expires_at: number;
  refresh_expires_at: number | null;
  created_at: number;
}

export interface UsedJtisTable {
  scope: string;
  jti: string;
  expires_at: number;
}

export interface FrontSettingsTable {
  service_id: number;
  data: string;
  webhook_secret_sealed: string | null;
  modified_at: number;
}

export interface FrontRequestsTable {
  auth_req_id_digest: string;
  service_id: number;
  subject: string;
  client_id: number;
  ticket_sealed: string;
  auth_req_id_sealed: string;
  details: string;
  status: string;
  channel: string;
  created_at: number;
  expires_at: number;
}

export interface OutboxTable {
  id: string;
  service_id: number;
  /** The client the notification is for or about; null on rows queued before 0006. */
  client_id: number | null;
  /** The user whose tokens (push) or request (device webhook) the row carries; null before 0007. */
  subject: string | null;
  kind: string;
  endpoint: string;
  authorization_sealed: string | null;
  body_sealed: string;
  summary: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  claimed_until: number | null;
  last_error: string | null;
  created_at: number;
  expires_at: number;
  finished_at: number | null;
}

/** A fixed-window counter of attempts under one scope (e.g. a user's failed user codes), with an optional lockout. */
export interface AttemptCountersTable {
  scope: string;
  service_id: number;
  window_start: number;
  hits: number;
  /** Set when the counter locked its scope; attempts are refused until then. */
  locked_until: number | null;
  /** When the row no longer matters (end of window or of lockout): housekeeping deletes it after. */
  expires_at: number;
}

/** A place held under a user's cap on pending requests, from the check until the device request exists. */
export interface RequestReservationsTable {
  id: string;
  service_id: number;
  subject: string;
  expires_at: number;
}

/** A one-time enrolment code for the authenticator app, by its keyed digest. */
export interface AuthenticatorEnrolmentsTable {
  code_digest: string;
  service_id: number;
  subject: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** An enrolled device: its passkey (WebAuthn credential record) and the digest of its device token. */
export interface AuthenticatorDevicesTable {
  id: string;
  service_id: number;
  subject: string;
  label: string;
  token_digest: string;
  credential_id: string;
  /** COSE public key, base64url. */
  public_key: string;
  sign_count: number;
  /** JSON array of transports the browser reported (hints only). */
  transports: string;
  backup_eligible: number;
  backup_state: number;
  aaguid: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** A Web Push subscription of a device; `keys_sealed` holds p256dh and auth. */
export interface AuthenticatorSubscriptionsTable {
  id: string;
  device_id: string;
  service_id: number;
  endpoint: string;
  keys_sealed: string;
  created_at: number;
}

/** A single-use WebAuthn challenge (registration) or the nonce of a decision's transaction digest. */
export interface AuthenticatorChallengesTable {
  id: string;
  service_id: number;
  subject: string;
  purpose: string;
  value: string;
  request_digest: string | null;
  expires_at: number;
}

export interface AuthenticatorVapidKeysTable {
  service_id: number;
  public_key: string;
  private_key_sealed: string;
  created_at: number;
}

/** "This wasn't me": new requests from the client for the user are refused until `until`. */
export interface AuthenticatorSuspensionsTable {
  service_id: number;
  subject: string;
  client_id: number;
  until: number;
}

/** A decision signed on the authenticator, kept with its request. */
export interface AuthenticatorEvidenceTable {
  request_digest: string;
  service_id: number;
  device_id: string;
  outcome: string;
  data: string;
  created_at: number;
}

/** One audit event (0010). seq, prev_hash and hash are null until the chainer links the row. */
export interface AuditEventsTable {
  id: string;
  service_id: number;
  seq: number | null;
  at: number;
  type: string;
  /** Keyed digest of the auth_req_id, to find a transaction's events; the value itself is sealed. */
  auth_req_id_digest: string | null;
  auth_req_id_sealed: string | null;
  /** Keyed digest of the ticket: ties the events before /issue to the transaction. */
  ticket_digest: string | null;
  client_id: string | null;
  subject: string | null;
  /** Type-specific details, as JSON (never a secret or token value). */
  data: string;
  prev_hash: string | null;
  hash: string | null;
  /**
   * The CIBA request's time-ordered key (0016): a transaction's events are found by it, and its
   * index takes each new event near the others of its time instead of at a random page.
   */
  request_key: string | null;
}

/** The last link of a service's audit chain. */
export interface AuditHeadsTable {
  service_id: number;
  seq: number;
  hash: string;
}
