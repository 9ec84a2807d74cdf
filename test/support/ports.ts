import { createServer } from 'node:net';

/**
 * A port that was free a moment ago on 127.0.0.1. Another process may take it before the
 * caller binds it: callers that bind in this process use `listenWithRetry` instead; child
 * processes (PostgreSQL, `openciba serve`) are simply started again on a new port.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export const isAddressInUse = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'EADDRINUSE';

/**
 * Runs `attempt(port)` on a fresh free port, again on another one when the port was taken in
 * between (EADDRINUSE), at most `tries` times.
 */
export async function withFreePort<T>(attempt: (port: number) => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    const port = await freePort();
    try {
      return await attempt(port);
    } catch (error) {
      if (!isAddressInUse(error) || i >= tries) throw error;
    }
  }
}
