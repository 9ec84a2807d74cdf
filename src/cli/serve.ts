import { createRuntime, type Runtime } from '../server/runtime.js';
import type { Config } from '../server/config.js';

/** Starts the server and stops it cleanly on SIGINT/SIGTERM. */
export async function serve(config: Config): Promise<Runtime> {
  const runtime = await createRuntime(config);
  await runtime.app.listen({ port: config.port, host: config.host });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    runtime.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return runtime;
}
