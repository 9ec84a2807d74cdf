import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';
import type { FrontRequestRecord } from '../../store/ports.js';

export type SignedDecision = 'approve' | 'deny';

/** What the user is shown and signs (PSD2 RTS Art. 5 dynamic linking): built from the stored request only. */
export interface CanonicalTransaction {
  v: 1;
  aud: string;
  handle: string;
  client_id: string;
  binding_message?: string;
  scopes: string[];
  authorization_details?: unknown;
  expires_at: number;
  nonce: string;
}

const DOMAIN = 'openciba-authenticator/v1\0';

export function canonicalTransaction(request: FrontRequestRecord, rpID: string, nonce: string): CanonicalTransaction {
  const d = request.details;
  return {
    v: 1,
    aud: rpID,
    handle: request.authReqIdDigest,
    client_id: String(d.clientId ?? request.clientId),
    ...(typeof d.bindingMessage === 'string' ? { binding_message: d.bindingMessage } : {}),
    scopes: Array.isArray(d.scopes) ? d.scopes.map(String) : [],
    ...(d.authorizationDetails !== undefined && d.authorizationDetails !== null ? { authorization_details: rfc9396Details(d.authorizationDetails) } : {}),
    expires_at: Math.floor(request.expiresAt / 1000),
    nonce,
  };
}

/**
 * The WebAuthn challenge for one decision on one transaction: SHA-256 over a domain label and the
 * canonical JSON of the transaction with the decision, so an approval cannot be replayed as a
 * denial (or the reverse) and any change to what was shown changes the challenge.
 */
export function decisionChallenge(tx: CanonicalTransaction, decision: SignedDecision): string {
  return createHash('sha256').update(DOMAIN).update(canonicalJson({ ...tx, decision })).digest('base64url');
}

/**
 * The details as the client wrote them (RFC 9396 §2), from Authlete's form (`{elements}`, with the
 * type-specific members in the JSON text `otherFields`): what people read and what is signed.
 */
export function rfc9396Details(stored: unknown): unknown[] {
  const elements = stored !== null && typeof stored === 'object' && Array.isArray((stored as { elements?: unknown }).elements) ? (stored as { elements: unknown[] }).elements : [];
  return elements.map((element) => {
    if (element === null || typeof element !== 'object') return element;
    const { otherFields, dataTypes, ...known } = element as Record<string, unknown>;
    let others: Record<string, unknown> = {};
    try {
      if (typeof otherFields === 'string') others = JSON.parse(otherFields) as Record<string, unknown>;
    } catch {
      // The engine wrote it; unreadable text shows as is.
      others = { otherFields };
    }
    return { ...others, ...known, ...(dataTypes !== undefined ? { datatypes: dataTypes } : {}) };
  });
}
