import { generateRegistrationOptions, verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import type { OpContext } from '../op-context.js';
import { userActive } from '../device/managed-requests.js';
import { CEREMONY_TIMEOUT_MS, ok, refused, type Outcome } from './outcome.js';
import { relyingParty } from './relying-party.js';
import { vapidKeys } from './vapid-keys.js';
import { recordDeviceChange } from './authenticator-audit.js';

/** WebAuthn §7.1 step 25: longer credential ids are refused. */
const MAX_CREDENTIAL_ID_BYTES = 1023;
const DEVICE_TOKEN_BYTES = 32;

const badCode = refused(400, 'invalid_grant', 'The enrolment code is unknown, used or expired.');

/**
 * Step one of enrolment: a valid one-time code yields registration options (user verification
 * required, attestation none, the user's passkeys excluded) and the VAPID key to subscribe with.
 * The code is only looked at here; finishing uses it up.
 */
export async function startEnrolment(op: OpContext, serviceId: number, code: string): Promise<Outcome<Record<string, unknown>>> {
  const now = op.clock.now();
  const codeDigest = op.keyring.digest(code);
  const enrolment = await op.store.findEnrolment(codeDigest, now);
  if (!enrolment || enrolment.serviceId !== serviceId) return badCode;
  if (!(await userActive(op.store, serviceId, enrolment.subject))) return badCode;
  const rp = relyingParty(op.publicUrl, serviceId);
  const existing = await op.store.listDevices(serviceId, enrolment.subject);
  const options = await generateRegistrationOptions({
    rpName: 'OpenCIBA',
    rpID: rp.rpID,
    userName: enrolment.subject,
    // A stable handle without personal data: a keyed digest of who she is (WebAuthn §14.6.1).
    userID: Buffer.from(op.keyring.digest(`authenticator user handle\0${serviceId}\0${enrolment.subject}`), 'base64url'),
    attestationType: 'none',
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
    excludeCredentials: existing.map((d) => ({ id: d.credentialId })),
    timeout: CEREMONY_TIMEOUT_MS,
  });
  const challengeId = op.random.token(16);
  await op.store.saveChallenge({
    id: challengeId,
    serviceId,
    subject: enrolment.subject,
    purpose: 'register',
    value: options.challenge,
    requestDigest: codeDigest,
    expiresAt: Math.min(enrolment.expiresAt, now + CEREMONY_TIMEOUT_MS),
  });
  const vapid = await vapidKeys(op, serviceId);
  return ok({ challengeId, options, vapidPublicKey: vapid.publicKey, subject: enrolment.subject });
}

export interface FinishEnrolment {
  code: string;
  challengeId: string;
  response: RegistrationResponseJSON;
  label?: string;
}

/** Step two: the passkey is verified against the stored challenge, the code used up, the device stored with a new device token. */
export async function finishEnrolment(op: OpContext, serviceId: number, input: FinishEnrolment): Promise<Outcome<Record<string, unknown>>> {
  const now = op.clock.now();
  const codeDigest = op.keyring.digest(input.code);
  const challenge = await op.store.takeChallenge(input.challengeId, now);
  if (!challenge || challenge.purpose !== 'register' || challenge.serviceId !== serviceId || challenge.requestDigest !== codeDigest) {
    return refused(400, 'invalid_request', 'The registration challenge is unknown, used or expired.');
  }
  const rp = relyingParty(op.publicUrl, serviceId);
  let info;
  try {
    const verified = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge.value,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: true,
    });
    if (!verified.verified) return refused(400, 'invalid_request', 'The passkey could not be verified.');
    info = verified.registrationInfo;
  } catch (error) {
    op.log.warn({ serviceId, err: error instanceof Error ? error.message : String(error) }, 'a passkey registration was refused');
    return refused(400, 'invalid_request', 'The passkey could not be verified.');
  }
  if (Buffer.from(info.credential.id, 'base64url').length > MAX_CREDENTIAL_ID_BYTES) return refused(400, 'invalid_request', 'The credential id is too long.');
  if (!(await op.store.useEnrolment(codeDigest, now))) return badCode;
  const deviceId = op.random.token(16);
  const deviceToken = op.random.token(DEVICE_TOKEN_BYTES);
  const added = await op.store.addDevice({
    id: deviceId,
    serviceId,
    subject: challenge.subject,
    label: (input.label ?? '').slice(0, 128) || 'Authenticator',
    tokenDigest: op.keyring.digest(deviceToken),
    credentialId: info.credential.id,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    signCount: info.credential.counter,
    transports: (info.credential.transports ?? []).map(String),
    backupEligible: info.credentialDeviceType === 'multiDevice',
    backupState: info.credentialBackedUp,
    aaguid: info.aaguid,
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
  });
  if (added === 'duplicate') return refused(409, 'invalid_request', 'This passkey is already registered.');
  await recordDeviceChange(op, { serviceId, subject: challenge.subject, id: deviceId }, 'create', ['passkey', ...(input.label ? ['label'] : [])]);
  return ok({ deviceId, deviceToken, subject: challenge.subject });
}
