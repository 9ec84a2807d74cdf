import type { Config } from '../server/config.js';
import type { Runtime } from '../server/runtime.js';

/** What a person starting the server needs to know, printed once to stdout. */
export function printBanner(config: Config, runtime: Runtime): void {
  const lines: string[] = [''];
  if (config.mode === 'development') {
    lines.push('  ╔══════════════════════════════════════════════════════════════════╗');
    lines.push('  ║  OpenCIBA is running in DEVELOPMENT MODE — not for production.   ║');
    lines.push('  ║  Demo data, an open device simulator, http notifications to      ║');
    lines.push('  ║  loopback. Use OPENCIBA_MODE=production for real deployments.    ║');
    lines.push('  ╚══════════════════════════════════════════════════════════════════╝');
    if (config.devAllowRemote) {
      lines.push(`  WARNING: listening on ${config.host}, beyond loopback (OPENCIBA_DEV_ALLOW_REMOTE): anyone who`);
      lines.push('  reaches this port can approve requests in the simulator and obtain tokens for any user.');
    }
  } else {
    lines.push('  OpenCIBA is running in production mode.');
  }
  lines.push(`  Listening:   ${config.publicUrl}   (database: ${runtime.databaseLocation})`);
  lines.push(`  API docs:    ${config.publicUrl}/docs   OpenAPI: ${config.publicUrl}/api/openapi.json`);
  if (config.metricsPort !== undefined) lines.push(`  Metrics:     http://${config.host}:${config.metricsPort}/metrics   (no token: keep this port private)`);
  // Only development mode ever generates it (production requires a configured one).
  if (runtime.generatedAdminToken && config.mode === 'development') {
    lines.push('');
    lines.push('  Organization token (shown only this once; stored hashed — keep it):');
    lines.push(`    ${runtime.generatedAdminToken}`);
  }
  const demo = runtime.demo;
  if (demo) {
    lines.push('');
    lines.push('  Demo seeded:');
    lines.push(`    service id     ${demo.serviceId}`);
    lines.push(`    issuer         ${demo.issuer}`);
    lines.push(`    discovery      ${demo.issuer}/.well-known/openid-configuration`);
    lines.push(`    client id      ${demo.clientId}   (client_secret_basic, poll mode)`);
    lines.push(`    client secret  ${demo.clientSecret}`);
    lines.push(`    users          ${demo.users.join(', ')}`);
    lines.push(`    simulator      ${demo.issuer}/device`);
  }
  lines.push('');
  process.stdout.write(lines.join('\n') + '\n');
}
