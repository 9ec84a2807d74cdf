/** A one-time enrolment code, known by its keyed digest. */
export interface EnrolmentRecord {
  codeDigest: string;
  serviceId: number;
  subject: string;
  createdAt: number;
  expiresAt: number;
}

/** An enrolled device and its passkey's credential record (WebAuthn §7.1 step 27). */
export interface AuthenticatorDeviceRecord {
  id: string;
  serviceId: number;
  subject: string;
  label: string;
  tokenDigest: string;
  credentialId: string;
  publicKey: string;
  signCount: number;
  transports: string[];
  backupEligible: boolean;
  backupState: boolean;
  aaguid: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** A device as operators (admin API) and its user (the app) see it: no key material, no token. */
export function deviceView(d: AuthenticatorDeviceRecord): Record<string, unknown> {
  return {
    id: d.id,
    label: d.label,
    createdAt: new Date(d.createdAt).toISOString(),
    ...(d.lastUsedAt !== null ? { lastUsedAt: new Date(d.lastUsedAt).toISOString() } : {}),
    synced: d.backupEligible,
    aaguid: d.aaguid,
  };
}

export interface PushSubscriptionRecord {
  id: string;
  deviceId: string;
  serviceId: number;
  endpoint: string;
  /** Sealed JSON `{p256dh, auth}`. */
  keysSealed: string;
  createdAt: number;
}

export interface AuthenticatorChallengeRecord {
  id: string;
  serviceId: number;
  subject: string;
  purpose: 'register' | 'decide';
  value: string;
  requestDigest: string | null;
  expiresAt: number;
}

export interface VapidKeysRecord {
  serviceId: number;
  publicKey: string;
  privateKeySealed: string;
  createdAt: number;
}

export interface AuthenticatorEvidenceRecord {
  requestDigest: string;
  serviceId: number;
  deviceId: string;
  outcome: 'approved' | 'denied' | 'not_me';
  data: Record<string, unknown>;
  createdAt: number;
}

/**
 * The authenticator app's state. Codes and challenges are consumed by one conditional statement
 * each, so two nodes (or two tabs) never both use one.
 */
export interface AuthenticatorStore {
  createEnrolment(record: EnrolmentRecord): Promise<void>;
  /** The unused, unexpired enrolment with this digest. */
  findEnrolment(codeDigest: string, now: number): Promise<EnrolmentRecord | undefined>;
  /** Marks it used; false when it was used, expired or unknown. */
  useEnrolment(codeDigest: string, now: number): Promise<boolean>;

  saveChallenge(record: AuthenticatorChallengeRecord): Promise<void>;
  /** Deletes and returns the challenge if it is unexpired: each one is good for one answer. */
  takeChallenge(id: string, now: number): Promise<AuthenticatorChallengeRecord | undefined>;

  /** Stores a new device; 'duplicate' when its credential id is already registered (to anyone). */
  addDevice(record: AuthenticatorDeviceRecord): Promise<'added' | 'duplicate'>;
  listDevices(serviceId: number, subject: string): Promise<AuthenticatorDeviceRecord[]>;
  findDeviceByToken(tokenDigest: string): Promise<AuthenticatorDeviceRecord | undefined>;
  /** Revokes the device and drops its push subscriptions; false if there was no such active device. */
  revokeDevice(serviceId: number, subject: string, deviceId: string, now: number): Promise<boolean>;
  /** Compare-and-swap of the signature counter: false if another answer moved it first. */
  advanceSignCount(deviceId: string, from: number, to: number, backupState: boolean, now: number): Promise<boolean>;

  /** Adds (or moves to this device) the subscription with this endpoint. */
  putSubscription(record: PushSubscriptionRecord): Promise<void>;
  /** The subscriptions of the user's active devices. */
  listSubscriptions(serviceId: number, subject: string): Promise<PushSubscriptionRecord[]>;
  deleteSubscription(serviceId: number, endpoint: string): Promise<void>;

  getVapidKeys(serviceId: number): Promise<VapidKeysRecord | undefined>;
  /** Stores the keys unless the service has some already; returns the ones that hold. */
  createVapidKeys(record: VapidKeysRecord): Promise<VapidKeysRecord>;

  suspend(serviceId: number, subject: string, clientId: number, until: number): Promise<void>;
  suspendedUntil(serviceId: number, subject: string, clientId: number, now: number): Promise<number | undefined>;

  putEvidence(record: AuthenticatorEvidenceRecord): Promise<void>;
  getEvidence(serviceId: number, requestDigest: string): Promise<AuthenticatorEvidenceRecord | undefined>;
}
