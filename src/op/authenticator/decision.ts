import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { AuthenticatorDeviceRecord, FrontRequestRecord } from '../../store/ports.js';
import { completeDecided, userClaims } from '../device/decide-request.js';
import { userActive } from '../device/managed-requests.js';
import { loadFrontSettings } from '../front-settings.js';
import type { OpContext } from '../op-context.js';
import { pendingRequestOf } from './decision-view.js';
import { numberOf } from './number-matching.js';
import { ok, refused, type Outcome } from './outcome.js';
import { relyingParty } from './relying-party.js';
import { recordRefusal, recordSignedAssertion, type SignedAssertion } from './authenticator-audit.js';
import { canonicalTransaction, decisionChallenge, type SignedDecision } from './transaction-digest.js';

export interface DecisionInput {
  challengeId: string;
  decision: SignedDecision;
  response: AuthenticationResponseJSON;
  /** Under number matching: the number the user picked. */
  number?: string;
}

const notVerified = refused(400, 'invalid_request', 'The passkey signature could not be verified for this request.');

/**
 * RFC 8176 values from the authenticator data's flags (a project convention; WebAuthn reports no
 * method): `user` for presence, `mfa` when the authenticator verified the user (possession plus a
 * PIN or biometric), and `swk` for a key that may be synced (BE=1) else `hwk` for a device-bound
 * one. With attestation `none` the hardware claim rests on the authenticator's word.
 */
export function amrOf(info: { userVerified: boolean; credentialDeviceType: string }): string[] {
  return [info.credentialDeviceType === 'multiDevice' ? 'swk' : 'hwk', 'user', ...(info.userVerified ? ['mfa'] : [])];
}

/**
 * Approve or deny with a passkey: the challenge is used up first; the credential must be one of
 * this user's active devices (the library does not check who owns it); the expected challenge is
 * recomputed from the stored request, so a request altered after display fails; the counter
 * moves by compare-and-swap. The assertion is kept with the request as evidence.
 */
export async function decideWithPasskey(op: OpContext, device: AuthenticatorDeviceRecord, handle: string, input: DecisionInput): Promise<Outcome<Record<string, unknown>>> {
  const found = await pendingRequestOf(op, device, handle);
  if (!found.ok) return found;
  const request = found.value;
  const now = op.clock.now();
  const challenge = await op.store.takeChallenge(input.challengeId, now);
  if (!challenge || challenge.purpose !== 'decide' || challenge.requestDigest !== handle || challenge.subject !== device.subject || challenge.serviceId !== device.serviceId) {
    return refused(400, 'invalid_request', 'The challenge is unknown, used or expired.');
  }
  const credential = (await op.store.listDevices(device.serviceId, device.subject)).find((d) => d.credentialId === input.response.id);
  if (!credential) {
    await recordRefusal(op, 'authenticator_assertion_invalid', { request }, 'The credential is not one of the user\'s active passkeys.');
    return notVerified;
  }
  const rp = relyingParty(op.publicUrl, device.serviceId);
  const tx = canonicalTransaction(request, rp.rpID, challenge.value);
  const expectedChallenge = decisionChallenge(tx, input.decision);
  let info;
  try {
    const verified = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      credential: { id: credential.credentialId, publicKey: Buffer.from(credential.publicKey, 'base64url'), counter: credential.signCount },
      requireUserVerification: true,
    });
    if (!verified.verified) throw new Error('the assertion did not verify');
    info = verified.authenticationInfo;
  } catch (error) {
    // The library's message says which check failed (origin, challenge, signature…); no secret is in it.
    await recordRefusal(op, 'authenticator_assertion_invalid', { request }, error instanceof Error ? error.message.slice(0, 200) : 'unverified');
    return notVerified;
  }
  if (!(await op.store.advanceSignCount(credential.id, credential.signCount, info.newCounter, info.credentialBackedUp, now))) {
    await recordRefusal(op, 'authenticator_counter_conflict', { request }, 'The passkey\'s signature counter did not move forward.');
    return refused(409, 'invalid_request', 'Another answer of this passkey was accepted first.');
  }
  const settings = await loadFrontSettings(op.store, device.serviceId);
  const expected = settings.authenticatorNumberMatching ? numberOf(tx.binding_message) : undefined;
  const wrongNumber = input.decision === 'approve' && expected !== undefined && input.number !== expected;
  const approved = input.decision === 'approve' && !wrongNumber && (await userActive(op.store, device.serviceId, device.subject));
  const evidence = {
    tx,
    decision: input.decision,
    credentialId: credential.credentialId,
    authenticatorData: input.response.response.authenticatorData,
    clientDataJSON: input.response.response.clientDataJSON,
    signature: input.response.response.signature,
    userVerified: info.userVerified,
    backedUp: info.credentialBackedUp,
    ...(wrongNumber ? { wrongNumber: true } : {}),
  };
  const signed: SignedAssertion = {
    tx,
    decision: input.decision,
    challenge: expectedChallenge,
    credentialId: credential.credentialId,
    authenticatorData: evidence.authenticatorData,
    clientDataJSON: evidence.clientDataJSON,
    signature: evidence.signature,
    userVerified: info.userVerified,
  };
  const how = approved ? { amr: amrOf(info), ...(settings.authenticatorAcr ? { acr: settings.authenticatorAcr } : {}) } : undefined;
  const result = await record(op, request, credential.id, approved ? 'approved' : 'denied', evidence, how, signed);
  if (!result) return refused(409, 'already_decided', 'The request was already decided or has expired.');
  // CISA: a wrong pick denies the request; there is no second try on it.
  if (wrongNumber) {
    await recordRefusal(op, 'authenticator_number_mismatch', { request }, 'The number picked was not the one shown; the request was denied.');
    return refused(400, 'wrong_number', 'The number did not match; the request was denied.');
  }
  return ok({ result });
}

/**
 * "This wasn't me": denies without a passkey (a user who is being phished can always refuse),
 * suspends new requests from that client for that user as the service says, and is logged as a
 * security event.
 */
export async function notMe(op: OpContext, device: AuthenticatorDeviceRecord, handle: string): Promise<Outcome<Record<string, unknown>>> {
  const found = await pendingRequestOf(op, device, handle);
  if (!found.ok) return found;
  const request = found.value;
  const settings = await loadFrontSettings(op.store, device.serviceId);
  const now = op.clock.now();
  const result = await record(op, request, device.id, 'not_me', { reportedBy: device.id });
  if (!result) return refused(409, 'already_decided', 'The request was already decided or has expired.');
  const until = settings.authenticatorNotMeSuspensionSeconds > 0 ? now + settings.authenticatorNotMeSuspensionSeconds * 1000 : undefined;
  if (until !== undefined) await op.store.suspend(device.serviceId, device.subject, request.clientId, until);
  await recordRefusal(op, 'authenticator_not_me', { request }, 'The user reported a request she did not make.', {
    reportedBy: device.id,
    ...(until ? { suspendedUntil: new Date(until).toISOString() } : {}),
  });
  return ok({ result, ...(until ? { suspendedUntil: Math.floor(until / 1000) } : {}) });
}

async function record(
  op: OpContext,
  request: FrontRequestRecord,
  deviceId: string,
  outcome: 'approved' | 'denied' | 'not_me',
  data: Record<string, unknown>,
  how?: { amr: string[]; acr?: string },
  signed?: SignedAssertion,
): Promise<string | undefined> {
  const now = op.clock.now();
  const decided = await op.store.decideFrontRequest(request.serviceId, request.authReqIdDigest, outcome === 'approved' ? 'allowed' : 'denied', now);
  if (!decided) return undefined;
  await op.store.putEvidence({ requestDigest: request.authReqIdDigest, serviceId: request.serviceId, deviceId, outcome, data, createdAt: now });
  // Before the completion's decision.recorded, so the evidence reads in order: shown and signed, then decided.
  if (signed) await recordSignedAssertion(op, request, signed);
  const result = outcome === 'approved' ? 'AUTHORIZED' : 'ACCESS_DENIED';
  const user = await op.store.getUser(request.serviceId, request.subject);
  await completeDecided(op, decided, result, userClaims(user), how ?? {});
  return result;
}
