import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Runtime } from './runtime.js';

/** After the grace, what is still open is cut; this long more is left for the store to close. */
const CLOSE_MARGIN_MS = 5_000;

/**
 * While draining, every answer says `Connection: close`: a keep-alive client's next request
 * then opens a new connection, which the closed listener refuses, instead of arriving on an
 * open one that the shutdown would cut mid-request.
 *
 * And closing the listener closes only the connections that are idle between two requests.
 * Node's own `closeIdleConnections` (which `server.close()` calls) also takes a connection that
 * was accepted a moment ago and whose request has not been read yet for idle, and resets it: the
 * client sees its request cut. Such a connection is served instead (and closed after its answer).
 */
export interface RequestTally {
  /** Requests whose headers were read. */
  begun: number;
  /** Requests whose connection closed before their answer was sent whole. */
  cut: number;
}

export function installDrainingHook(app: FastifyInstance, draining: () => boolean): RequestTally {
  const tally: RequestTally = { begun: 0, cut: 0 };
  app.addHook('onSend', async (_request, reply, payload) => {
    if (draining()) reply.header('connection', 'close');
    return payload;
  });
  const server = app.server;
  /** Per open connection: requests begun and requests answered. */
  const connections = new Map<Socket, { begun: number; answered: number }>();
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { begun: 0, answered: 0 });
    socket.once('close', () => connections.delete(socket));
  });
  server.on('request', (request, response) => {
    tally.begun++;
    response.once('close', () => {
      if (!response.writableFinished) tally.cut++;
    });
    const counts = connections.get(request.socket);
    if (!counts) return;
    counts.begun++;
    response.once('close', () => counts.answered++);
  });
  server.closeIdleConnections = () => {
    for (const [socket, counts] of connections) {
      // Idle between requests: it answered all it began, and began at least one.
      if (counts.begun > 0 && counts.answered === counts.begun) socket.destroy();
    }
  };
  return tally;
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
    // The operator's (and the shutdown test's) evidence that no accepted request was cut. A
    // connection the kernel had queued but the process never accepted is reset by the kernel
    // when the listener closes: that client was never served, and retries like any refused one.
    runtime.app.log.info({ requests: runtime.requests.begun, cut: runtime.requests.cut, clean: clean && closed }, 'shut down');
    return clean && closed;
  } finally {
    clearTimeout(grace);
  }
}
