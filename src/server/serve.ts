import { createRuntime, type Runtime, type RuntimeOverrides } from './runtime.js';
import type { Config } from './config.js';

/** Starts the server and stops it cleanly on SIGINT/SIGTERM. */
export async function serve(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const runtime = await createRuntime(config, overrides);
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
