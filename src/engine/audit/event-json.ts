import type { Keyring } from '../../lib/keyring.js';
import type { StoredAuditEvent } from '../../store/ports.js';

/** An audit event as the administration API shows it (contract A). */
export interface AuditEventJson {
  id: string;
  seq?: number;
  at: string;
  type: string;
  authReqId?: string;
  clientId?: string;
  subject?: string;
  data: Record<string, unknown>;
  prevHash?: string;
  hash?: string;
}

/** The stored row as JSON: ISO time, parsed details, the auth_req_id opened; no digest or ticket. */
export function auditEventJson(event: StoredAuditEvent, keyring: Keyring): AuditEventJson {
  return {
    id: event.id,
    ...(event.seq !== null ? { seq: event.seq } : {}),
    at: new Date(event.at).toISOString(),
    type: event.type,
    ...(event.authReqIdSealed ? { authReqId: openOrOmit(keyring, event.authReqIdSealed) } : {}),
    ...(event.clientId !== null ? { clientId: event.clientId } : {}),
    ...(event.subject !== null ? { subject: event.subject } : {}),
    data: parsedData(event.data),
    ...(event.prevHash !== null ? { prevHash: event.prevHash } : {}),
    ...(event.hash !== null ? { hash: event.hash } : {}),
  };
}

function openOrOmit(keyring: Keyring, sealed: string): string | undefined {
  try {
    return keyring.open(sealed);
  } catch {
    // Sealed under another master key, or edited: the chain check reports the edit.
    return undefined;
  }
}

function parsedData(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { unparsable: true };
  }
}
