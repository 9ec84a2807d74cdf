import type { FastifyInstance } from 'fastify';

/** What readiness looks at; each part answers quickly or is taken as failing. */
export interface ReadinessProbe {
  /** The migrations this build has that the database lacks; rejects when the database is unreachable. */
  pendingMigrations(): Promise<string[]>;
  dispatcherRunning(): boolean;
  /** Set once SIGTERM arrived: a load balancer should send nothing new. */
  draining(): boolean;
  /** The audit chainer's lag: reported, never a reason to take the node out (the events are stored). */
  auditLag?(): Promise<{ unlinkedEvents: number; oldestUnlinkedAgeSeconds: number }>;
}

/** A load balancer's probe must not hang on a database that does not answer. */
export const READINESS_TIMEOUT_MS = 2_000;

type Check = 'ok' | 'failing';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `/health/live`: the process runs and its event loop answers (restart it otherwise).
 * `/health/ready`: it can do its work — the database answers within a short timeout, its schema
 * has every migration of this build, the notification dispatcher runs, and no shutdown has
 * begun — else 503 with the reason (take it out of the load balancer, do not restart it).
 */
export function registerHealth(app: FastifyInstance, probe: ReadinessProbe, timeoutMs = READINESS_TIMEOUT_MS): void {
  const noStore = { 'cache-control': 'no-store' };
  app.get('/health/live', { schema: { hide: true } }, async (_request, reply) => reply.headers(noStore).send({ status: 'ok' }));
  app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
    const reasons: string[] = [];
    const checks: Record<string, Check> = { database: 'ok', migrations: 'ok', dispatcher: 'ok', shutdown: 'ok' };
    try {
      const pending = await withTimeout(probe.pendingMigrations(), timeoutMs);
      if (pending.length > 0) {
        checks.migrations = 'failing';
        reasons.push(`the database lacks ${pending.length} migration(s): ${pending.slice(0, 5).join(', ')}`);
      }
    } catch (error) {
      checks.database = 'failing';
      checks.migrations = 'failing';
      reasons.push(`the database did not answer: ${(error instanceof Error ? error.message : String(error)).slice(0, 200)}`);
    }
    if (!probe.dispatcherRunning()) {
      checks.dispatcher = 'failing';
      reasons.push('the notification dispatcher is not running');
    }
    if (probe.draining()) {
      checks.shutdown = 'failing';
      reasons.push('the node is shutting down');
    }
    // Only when the database answered: a second query to a dead one would only wait again.
    const auditChain = checks.database === 'ok' && probe.auditLag ? await withTimeout(probe.auditLag(), timeoutMs).catch(() => undefined) : undefined;
    const extra = auditChain ? { auditChain } : {};
    if (reasons.length === 0) return reply.headers(noStore).send({ status: 'ready', checks, ...extra });
    return reply.code(503).headers(noStore).send({ status: 'unavailable', reason: reasons.join('; '), checks, ...extra });
  });
}
