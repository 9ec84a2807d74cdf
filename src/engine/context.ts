import type { X509Certificate } from 'node:crypto';
import type { AuditSink, EngineStore } from '../store/ports.js';
import type { Clock } from '../lib/clock.js';
import type { Keyring } from '../lib/keyring.js';
import type { Random } from '../lib/random.js';
import type { Mode } from '../lib/mode.js';
import type { ManagedRequests } from './ciba/managed-requests.js';

/** What every engine operation may use: storage, time, randomness, keys and two settings. */
export interface EngineContext {
  store: EngineStore;
  clock: Clock;
  random: Random;
  keyring: Keyring;
  /** Base URL the front is reachable at; a service's default issuer is `{publicUrl}/s/{apiKey}`. */
  publicUrl: string;
  mode: Mode;
  /**
   * Deployment-wide trust for tls_client_auth, from the server's configuration: anchors every
   * service trusts besides its own `trustedRootCertificates` (OPENCIBA_TLS_CLIENT_CA), and whether
   * the operator stated that the TLS layer validated client chains. Unset: neither.
   */
  clientCertificateTrust?: { anchors: X509Certificate[]; verifiedUpstream: boolean };
  /** How long a rotated-in signing key is published before it signs (keys/key-rotation.ts has the default). */
  keyPrePublicationMs?: number;
  /** How long after a redemption a repeat by the same client does not revoke (default REPLAY_GRACE_MS, ciba-grant.ts). */
  replayGraceMs?: number;
  /** Where the engine's audit events go (stored, logged, counted): server/audit/audit-sink.ts. */
  audit: AuditSink;
  /** The front's side of `/complete`, when a front runs in this process (wired by server/). */
  managed?: ManagedRequests;
}
