import { randomInt } from 'node:crypto';
import { generateAuthenticationOptions } from '@simplewebauthn/server';
import type { AuthenticatorDeviceRecord, FrontRequestRecord } from '../../store/ports.js';
import { loadFrontSettings } from '../front-settings.js';
import type { OpContext } from '../op-context.js';
import { numberChoices, numberOf, withoutNumber } from './number-matching.js';
import { CEREMONY_TIMEOUT_MS, ok, refused, type Outcome } from './outcome.js';
import { clientLogoOf } from './client-logo.js';
import { relyingParty } from './relying-party.js';
import { canonicalTransaction, decisionChallenge } from './transaction-digest.js';

/** The device's user's pending authenticator request with this handle, or why not. */
export async function pendingRequestOf(op: OpContext, device: AuthenticatorDeviceRecord, handle: string): Promise<Outcome<FrontRequestRecord>> {
  const request = await op.store.findFrontRequest(device.serviceId, handle);
  // Another user's request is answered as if it did not exist.
  if (!request || request.subject !== device.subject || request.channel !== 'authenticator') return refused(404, 'not_found', 'No such request.');
  if (request.status !== 'pending' || request.expiresAt <= op.clock.now()) return refused(409, 'already_decided', 'The request was already decided or has expired.');
  return ok(request);
}

/** The user's pending authenticator requests, newest first, for the app's list. */
export async function pendingRequests(op: OpContext, device: AuthenticatorDeviceRecord): Promise<Record<string, unknown>[]> {
  const rows = await op.store.listPendingFrontRequests(device.serviceId, device.subject, op.clock.now(), 50);
  return rows
    .filter((r) => r.channel === 'authenticator')
    .map((r) => ({ handle: r.authReqIdDigest, clientName: r.details.clientName ?? null, expiresAt: Math.floor(r.expiresAt / 1000) }));
}

/**
 * What the app shows for one request, and the WebAuthn options to sign it: the canonical
 * transaction, built from the stored request with a fresh nonce kept as a single-use challenge,
 * and the two challenges (approve, deny) derived from it. The app renders from `tx` only.
 */
export async function decisionView(op: OpContext, device: AuthenticatorDeviceRecord, handle: string): Promise<Outcome<Record<string, unknown>>> {
  const found = await pendingRequestOf(op, device, handle);
  if (!found.ok) return found;
  const request = found.value;
  const now = op.clock.now();
  const rp = relyingParty(op.publicUrl, device.serviceId);
  const nonce = op.random.token(16);
  const challengeId = op.random.token(16);
  await op.store.saveChallenge({
    id: challengeId,
    serviceId: device.serviceId,
    subject: device.subject,
    purpose: 'decide',
    value: nonce,
    requestDigest: handle,
    expiresAt: Math.min(request.expiresAt, now + CEREMONY_TIMEOUT_MS),
  });
  const tx = canonicalTransaction(request, rp.rpID, nonce);
  const devices = await op.store.listDevices(device.serviceId, device.subject);
  const options = await generateAuthenticationOptions({
    rpID: rp.rpID,
    challenge: Buffer.from(decisionChallenge(tx, 'approve'), 'base64url'),
    allowCredentials: devices.map((d) => ({ id: d.credentialId })),
    userVerification: 'required',
    timeout: CEREMONY_TIMEOUT_MS,
  });
  const settings = await loadFrontSettings(op.store, device.serviceId);
  const expected = settings.authenticatorNumberMatching ? numberOf(tx.binding_message) : undefined;
  const clientLogoUri = await clientLogoOf(op, device.serviceId, tx.client_id);
  return ok({
    tx,
    challengeId,
    options,
    denyChallenge: decisionChallenge(tx, 'deny'),
    clientName: typeof request.details.clientName === 'string' ? request.details.clientName : null,
    ...(clientLogoUri ? { clientLogoUri } : {}),
    ...(expected !== undefined && tx.binding_message
      ? { numberChoices: numberChoices(expected, (below) => randomInt(below)), displayBindingMessage: withoutNumber(tx.binding_message) }
      : {}),
  });
}
