// Target: node-oidc-provider (bench/targets/oidc-provider-server.mjs). Approval happens inside
// its backchannel request (triggerAuthenticationDevice), so a flow is two HTTP requests here.
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { spawnPinned, stopChild } from '../procs.mjs';
import { waitListening, cibaRequests } from './common.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));

export async function startOidcProvider({ port, cpu }) {
  const clientId = 'bench';
  const clientSecret = randomBytes(32).toString('base64url');
  const child = spawnPinned(cpu, process.execPath, ['--import', here('./parent-guard.mjs'), here('./oidc-provider-server.mjs'), String(port)], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    // NODE_ENV=production: oidc-provider and Koa skip development-only work (as a deployment would).
    env: { PATH: process.env.PATH, NODE_ENV: 'production', BENCH_CLIENT_ID: clientId, BENCH_CLIENT_SECRET: clientSecret },
    label: 'oidc-provider',
  });
  await waitListening(child, port);
  return {
    key: 'oidcProvider',
    label: 'node-oidc-provider',
    child,
    port,
    flows: true,
    requests: cibaRequests({ backchannelPath: '/backchannel', tokenPath: '/token', clientId, clientSecret }),
    stop: () => stopChild(child),
  };
}
