import type { FrontRequestRecord } from '../../store/ports.js';
import type { OpContext } from '../op-context.js';
import type { CanonicalTransaction, SignedDecision } from './transaction-digest.js';

/** The authenticator's security rules, as `security.refused` names them in the audit trail. */
export type AuthenticatorRule =
  | 'authenticator_not_me'
  | 'authenticator_suspended'
  | 'authenticator_number_mismatch'
  | 'authenticator_assertion_invalid'
  | 'authenticator_counter_conflict';

/** Whom a refusal is about: a request already issued (its auth_req_id is sealed in the front's row), or one still at its ticket. */
export type RefusalSubject =
  | { request: FrontRequestRecord }
  | { serviceId: number; clientId: number; subject: string; ticket: string };

/**
 * Records a refusal by one of the authenticator's rules as `security.refused` (contract A), tied to
 * the transaction so that its evidence tells it; the audit sink also writes it as a log line.
 */
export async function recordRefusal(op: OpContext, rule: AuthenticatorRule, about: RefusalSubject, detail?: string, extra: Record<string, unknown> = {}): Promise<void> {
  const where =
    'request' in about
      ? { serviceId: about.request.serviceId, authReqId: op.keyring.open(about.request.authReqIdSealed), clientId: String(about.request.clientId), subject: about.request.subject }
      : { serviceId: about.serviceId, ticket: about.ticket, clientId: String(about.clientId), subject: about.subject };
  await op.audit.record({ ...where, type: 'security.refused', data: { rule, ...(detail ? { detail } : {}), ...extra } });
}

export interface SignedAssertion {
  tx: CanonicalTransaction;
  decision: SignedDecision;
  /** The WebAuthn challenge: the digest of the canonical transaction with the decision. */
  challenge: string;
  credentialId: string;
  authenticatorData: string;
  clientDataJSON: string;
  signature: string;
  userVerified: boolean;
}

/**
 * `device.signed`: what the device showed and what its passkey signed over it, in the service's
 * hash chain with the rest of the transaction, so the evidence carries the assertion itself (a
 * verifier can check the signature with the device's public key and recompute the challenge from
 * `tx`). None of it is secret: the handle is a digest, the assertion is public-key material.
 */
export async function recordSignedAssertion(op: OpContext, request: FrontRequestRecord, signed: SignedAssertion): Promise<void> {
  await op.audit.record({
    serviceId: request.serviceId,
    type: 'device.signed',
    authReqId: op.keyring.open(request.authReqIdSealed),
    clientId: String(request.clientId),
    subject: request.subject,
    data: { channel: 'authenticator', ...signed },
  });
}

/**
 * `admin.changed` for what a user does to her own devices on the authenticator page (enrolling
 * one, revoking one, subscribing it to push): the same event as an operator's change through the
 * admin API, with the user as the actor, since a device is a credential of hers.
 */
export async function recordDeviceChange(op: OpContext, device: { serviceId: number; subject: string; id: string }, action: 'create' | 'update' | 'delete', changes?: string[]): Promise<void> {
  await op.audit.record({
    serviceId: device.serviceId,
    type: 'admin.changed',
    subject: device.subject,
    data: { actor: 'user', resource: 'device', action, target: device.id, ...(changes ? { changes } : {}) },
  });
}
