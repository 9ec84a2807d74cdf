import type { FastifyInstance } from 'fastify';
import type { AuditSink } from '../../store/ports.js';

/**
 * Every answer waits until the audit events queued before it are stored (AuditSink.queue): a
 * request's steps queue their events and go on, and its answer still goes out after them, as
 * "a 200 means on disk" asks. While nothing is queued the hook answers at once.
 */
export function installAuditAnswerBarrier(app: FastifyInstance, audit: Pick<AuditSink, 'settled'>): void {
  app.addHook('onSend', (_request, _reply, payload, done) => {
    const pending = audit.settled();
    if (!pending) return done(null, payload);
    // settled() never rejects: an event that could not be stored was logged in full instead.
    void pending.then(() => done(null, payload));
  });
}
