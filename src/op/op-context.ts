import type { Clock } from '../lib/clock.js';
import type { Mode } from '../lib/mode.js';
import type { Keyring } from '../lib/keyring.js';
import type { Random } from '../lib/random.js';
import type { AuditSink, FrontStore } from '../store/ports.js';
import type { ClientCertificateSource } from './http/client-certificate.js';
import type { FrontEngine } from './front-engine.js';
import type { AuthenticationDevice } from './device/embedded-device.js';

/** Where the front reports what it cannot answer to anyone (pino's shape). */
export interface OpLog {
  warn(details: Record<string, unknown>, message: string): void;
  debug?(details: Record<string, unknown>, message: string): void;
}

/** What the front runs on: the engine (through the API interface) and its own state. */
export interface OpContext {
  engine: FrontEngine;
  /** The front's own tables (users, device requests, settings, outbox). */
  store: FrontStore;
  keyring: Keyring;
  clock: Clock;
  random: Random;
  mode: Mode;
  publicUrl: string;
  /** Checks an organization token (for the simulator in production mode). */
  isAdminToken(token: string | undefined): Promise<boolean>;
  /** True when the engine writes ping/push notifications to the outbox itself (in-process). */
  engineOutboxes: boolean;
  /** True when the engine keeps its own database (OPENCIBA_ENGINE_URL): a user's lock does not reach her tokens there. */
  engineRemote: boolean;
  /** The embedding program's authentication device, for services on the `embedded` channel. */
  embeddedDevice?: AuthenticationDevice;
  log: OpLog;
  /** Where the front's audit events go: the same sink as the engine's in one process. */
  audit: AuditSink;
  /** Where client certificates come from (direct TLS or a trusted proxy's header); absent: none are seen. */
  clientCertificates?: ClientCertificateSource;
}
