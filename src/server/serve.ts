import { createRuntime, type Runtime, type RuntimeOverrides } from './runtime.js';
import type { Config } from './config.js';
import { startMetricsListener } from './metrics/metrics-endpoint.js';
import { shutDown } from './shutdown.js';

/** Starts the server (and the metrics listener when OPENCIBA_METRICS_PORT is set) and stops it gracefully on SIGINT/SIGTERM. */
export async function serve(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const runtime = await createRuntime(config, overrides);
  await runtime.app.listen({ port: config.port, host: config.host });
  const metricsListener = config.metricsPort === undefined ? undefined : await startMetricsListener(runtime.metrics, config.host, config.metricsPort);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.app.log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    Promise.all([shutDown(runtime, config.shutdownGraceMs), metricsListener?.close()]).then(
      ([clean]) => process.exit(clean ? 0 : 1),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return runtime;
}
