import type { FastifyInstance } from 'fastify';
import type { Runtime } from './runtime.js';

/** After the grace, what is still open is cut; this long more is left for the store to close. */
const CLOSE_MARGIN_MS = 5_000;

/**
 * While draining, every answer says `Connection: close`: a keep-alive client's next request
 * then opens a new connection, which the closed listener refuses, instead of arriving on an
 * open one that the shutdown would cut mid-request.
 */
export function installDrainingHook(app: FastifyInstance, draining: () => boolean): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    if (draining()) reply.header('connection', 'close');
    return payload;
  });
}

/**
 * SIGTERM: readiness goes 503, the listener stops accepting, requests in flight are answered,
 * the dispatcher hands back the notifications it claimed but has not started (another node
 * sends them at once) and finishes those in flight, then the store closes. What is still open
 * after `graceMs` is cut. Resolves true for a clean stop.
 */
export async function shutDown(runtime: Runtime, graceMs: number): Promise<boolean> {
  runtime.drain();
  let clean = true;
  const grace = setTimeout(() => {
    clean = false;
    runtime.app.log.warn({ graceMs }, 'shutdown grace is over: closing the connections still open');
    runtime.app.server.closeAllConnections();
  }, graceMs);
  grace.unref();
  const hard = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs + CLOSE_MARGIN_MS).unref());
  try {
    const closed = await Promise.race([runtime.close().then(() => true), hard]);
    return clean && closed;
  } finally {
    clearTimeout(grace);
  }
}
