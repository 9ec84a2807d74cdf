// Target: the bare node:http server (bench/targets/bare-server.mjs) — only its POST is measured,
// as "backchannel requests/s": it is the ceiling any Node endpoint on this core can reach.
import { fileURLToPath } from 'node:url';
import { spawnPinned, stopChild } from '../procs.mjs';
import { waitListening, FORM } from './common.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));

export async function startBare({ port, cpu }) {
  const child = spawnPinned(cpu, process.execPath, ['--import', here('./parent-guard.mjs'), here('./bare-server.mjs'), String(port)], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
    label: 'bare node:http',
  });
  await waitListening(child, port);
  return {
    key: 'bare',
    label: 'bare node:http (limit)',
    child,
    port,
    flows: false, // no CIBA flow: only the POST is measured
    requests: {
      backchannel: () => ({ method: 'POST', path: '/backchannel/authentication', headers: { 'content-type': FORM }, body: 'scope=openid&login_hint=alice' }),
    },
    stop: () => stopChild(child),
  };
}
