// Target: node-oidc-provider (bench/targets/oidc-provider-server.mjs). Approval happens inside
// its backchannel request (triggerAuthenticationDevice), so a flow is two HTTP requests here.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild, onCleanup } from '../procs.mjs';
import { waitListening, cibaRequests, spawnTargetScript } from './common.mjs';

/** `durable`: with the SQLite adapter (a fresh file in a temp directory) instead of the in-memory one. */
export async function startOidcProvider({ port, cpu, durable = false, refreshTokens = false }) {
  const dataDir = durable ? mkdtempSync(join(tmpdir(), 'oidc-provider-bench-')) : undefined;
  if (dataDir) onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const clientId = 'bench';
  const clientSecret = randomBytes(32).toString('base64url');
  const child = spawnTargetScript({
    cpu, script: './oidc-provider-server.mjs', port, clientId, clientSecret,
    label: durable ? 'oidc-provider (SQLite adapter)' : 'oidc-provider',
    env: {
      ...(refreshTokens ? { BENCH_REFRESH_TOKENS: '1' } : {}),
      ...(dataDir ? { BENCH_OIDC_SQLITE: join(dataDir, 'oidc.sqlite') } : {}),
    },
  });
  await waitListening(child, port);
  return {
    key: durable ? 'oidcProviderSqlite' : 'oidcProvider',
    label: durable ? 'node-oidc-provider (SQLite adapter)' : 'node-oidc-provider',
    child,
    port,
    flows: true,
    refreshTokens,
    requests: cibaRequests({ backchannelPath: '/backchannel', tokenPath: '/token', clientId, clientSecret }),
    async stop() {
      await stopChild(child);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
