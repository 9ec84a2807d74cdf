import type { Clock } from '../../lib/clock.js';
import type { Keyring } from '../../lib/keyring.js';
import type { Random } from '../../lib/random.js';
import type { AuditEventInput, AuditEventRecord, AuditEventStore, AuditListener, AuditSink } from '../../store/ports.js';

/** Where each event goes as a JSON line (pino's shape). */
export interface AuditLog {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export interface AuditSinkDeps {
  store: Pick<AuditEventStore, 'appendAuditEvent'>;
  keyring: Keyring;
  clock: Clock;
  random: Random;
}

export interface ServerAuditSink extends AuditSink {
  /** The log the JSON lines go to, once the app (and its pino logger) exists. */
  useLog(log: AuditLog): void;
}

let lastMs = 0;
let sequence = 0;

/**
 * An id that sorts in emission order within a node: the time, a counter for events of the same
 * millisecond, and randomness so that two nodes never collide. Across nodes the order is the
 * clocks' (good to the skew between them); the chain's seq is the authoritative order.
 */
export function auditEventId(at: number, random: Random): string {
  if (at === lastMs) sequence++;
  else {
    lastMs = at;
    sequence = 0;
  }
  return `${String(Math.max(0, at)).padStart(15, '0')}-${String(sequence % 1e6).padStart(6, '0')}-${random.token(6)}`;
}

/**
 * The one emission mechanism of the audit trail: every event is stored (through the store port:
 * group commit stores the events of concurrent requests in one transaction, linked into their
 * service's chain, and record() resolves once that transaction committed), written to the log as one JSON
 * line with `"event":"audit"`, and handed to the listeners. The auth_req_id and the ticket are
 * stored as keyed digests (the auth_req_id also sealed, to be shown back in evidence), as
 * everywhere else; neither is written to the log.
 */
export function createAuditSink(deps: AuditSinkDeps): ServerAuditSink {
  const listeners: AuditListener[] = [];
  let log: AuditLog | undefined;
  // A promise that settles once every event queued so far has been stored or has failed (each
  // queued event's is chained after the previous one's); undefined when none is outstanding.
  let all: Promise<void> | undefined;

  const store = async (input: AuditEventInput): Promise<void> => {
    const at = input.at ?? deps.clock.now();
    const id = auditEventId(at, deps.random);
    const data = JSON.stringify(input.data);
    await deps.store.appendAuditEvent({
      id,
      serviceId: input.serviceId,
      seq: null,
      at,
      type: input.type,
      authReqIdDigest: input.authReqId ? deps.keyring.digest(input.authReqId) : null,
      authReqIdSealed: input.authReqId ? deps.keyring.seal(input.authReqId) : null,
      ticketDigest: input.ticket ? deps.keyring.digest(input.ticket) : null,
      clientId: input.clientId ?? null,
      subject: input.subject ?? null,
      data,
      prevHash: null,
      hash: null,
    });
    const event: AuditEventRecord = {
      serviceId: input.serviceId,
      type: input.type,
      at,
      ...(input.authReqId ? { authReqId: input.authReqId } : {}),
      ...(input.clientId ? { clientId: input.clientId } : {}),
      ...(input.subject ? { subject: input.subject } : {}),
      data: input.data,
    };
    log?.info({ event: 'audit', id, serviceId: event.serviceId, type: event.type, at: new Date(at).toISOString(), clientId: event.clientId, subject: event.subject, data: input.data }, 'audit event');
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        log?.warn({ err: error, type: event.type }, 'an audit listener failed');
      }
    }
  };

  return {
    useLog(next) {
      log = next;
    },
    listen(listener) {
      listeners.push(listener);
    },
    record: store,
    queue(input) {
      const stored = store(input).then(
        () => {},
        (error: unknown) => {
          // What the row would have said (no secrets: the log line of a stored event says as much).
          log?.error({ err: error, event: 'audit_not_stored', serviceId: input.serviceId, type: input.type, clientId: input.clientId, subject: input.subject, data: input.data }, 'an audit event could not be stored');
        },
      );
      const upToHere: Promise<void> = all ? all.then(() => stored) : stored;
      all = upToHere;
      void upToHere.then(() => {
        if (all === upToHere) all = undefined;
      });
    },
    settled: () => all,
  };
}

/**
 * The sink with the audit trail off (OPENCIBA_AUDIT_TRAIL=off, development only, config.ts):
 * nothing is stored, logged or heard — what `npm run bench` compares the trail's cost against.
 */
export function disabledAuditSink(): ServerAuditSink {
  return { useLog() {}, listen() {}, async record() {}, queue() {}, settled: () => undefined };
}
