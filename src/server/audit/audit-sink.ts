import type { Clock } from '../../lib/clock.js';
import type { Keyring } from '../../lib/keyring.js';
import type { Random } from '../../lib/random.js';
import { orderedId } from '../../lib/ordered-id.js';
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

/**
 * An event's id: it sorts in emission order within a node (lib/ordered-id.ts); across nodes the
 * chain's seq is the authoritative order.
 */
export function auditEventId(at: number, random: Random): string {
  return orderedId(at, random, 6);
}

/** How many recent auth_req_ids and tickets the sink remembers: far more than one node has in flight. */
const RECENT = 16_384;

interface Remembered {
  digest: string;
  /** The auth_req_id's sealed copy (tickets are stored only as digests). */
  sealed?: string;
  /** The engine's key of the request this auth_req_id or ticket belongs to, once an event said. */
  requestKey?: string;
}

/**
 * What the trail stores of a value it names, kept for the several events of a request (a flow's
 * five or six events name the same auth_req_id or ticket), by the value's keyed digest — the
 * value itself is not kept: the sealed copy (sealed once: the same ciphertext in each event, which
 * tells no more than their equal digests do) and the request's key. Forgetting costs nothing but
 * the work again: an event whose request key is not known here is stored without one and found
 * by its digests. Bounded: the oldest value goes first.
 */
function rememberedValues(keyring: Keyring): (value: string, sealed: boolean) => Remembered {
  const recent = new Map<string, Remembered>();
  return (value, sealed) => {
    const digest = keyring.digest(value);
    let entry = recent.get(digest);
    if (!entry) {
      if (recent.size >= RECENT) recent.delete(recent.keys().next().value as string);
      recent.set(digest, (entry = { digest }));
    }
    if (sealed) entry.sealed ??= keyring.seal(value);
    return entry;
  };
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
  const remember = rememberedValues(deps.keyring);

  const store = async (input: AuditEventInput): Promise<void> => {
    const at = input.at ?? deps.clock.now();
    const id = auditEventId(at, deps.random);
    const data = JSON.stringify(input.data);
    const authReqId = input.authReqId ? remember(input.authReqId, true) : undefined;
    const ticket = input.ticket ? remember(input.ticket, false) : undefined;
    // Emitted in request order (this runs synchronously in queue()): the engine's events name the
    // key first, and the front's later ones, naming only the ticket or auth_req_id, find it here.
    const requestKey = input.requestKey ?? authReqId?.requestKey ?? ticket?.requestKey ?? null;
    if (requestKey !== null) {
      if (authReqId) authReqId.requestKey ??= requestKey;
      if (ticket) ticket.requestKey ??= requestKey;
    }
    await deps.store.appendAuditEvent({
      id,
      serviceId: input.serviceId,
      seq: null,
      at,
      type: input.type,
      authReqIdDigest: authReqId ? authReqId.digest : null,
      authReqIdSealed: authReqId?.sealed ?? null,
      ticketDigest: ticket ? ticket.digest : null,
      clientId: input.clientId ?? null,
      subject: input.subject ?? null,
      data,
      prevHash: null,
      hash: null,
      requestKey,
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
