// Helpers shared by the target launchers: waiting for a server to listen, JSON calls for setup,
// and the form/Basic-auth request shapes every CIBA target is driven with.
import { request } from 'node:http';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnPinned } from '../procs.mjs';

/**
 * Starts one of the benchmark's own server scripts (next to this file) pinned to `cpu`, the way
 * every such target runs: the parent guard preloaded, the repository as working directory,
 * NODE_ENV=production, the bench client's id and secret, and only PATH of this environment.
 * `cpuProfDir`: under `node --cpu-prof`, the profile written there on exit (bench/profile.mjs).
 */
export function spawnTargetScript({ cpu, script, port, label, clientId, clientSecret, env = {}, cpuProfDir }) {
  const here = (f) => fileURLToPath(new URL(f, import.meta.url));
  const nodeArgs = ['--import', here('./parent-guard.mjs')];
  if (cpuProfDir) {
    mkdirSync(cpuProfDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', cpuProfDir);
  }
  return spawnPinned(cpu, process.execPath, [...nodeArgs, here(script), String(port)], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    // NODE_ENV=production: libraries skip development-only work (as a deployment would).
    env: { PATH: process.env.PATH, NODE_ENV: 'production', BENCH_CLIENT_ID: clientId, BENCH_CLIENT_SECRET: clientSecret, ...env },
    label,
  });
}

/** Resolves once `GET /` on the port gets any HTTP answer; rejects if the child exits or time runs out. */
export async function waitListening(child, port, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${child.label} exited before listening:\n${child.output}`);
    }
    const ok = await new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', agent: false, timeout: 1_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(true));
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${child.label} did not listen on ${port} within ${timeoutMs} ms:\n${child.output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One JSON API call used during setup (not measured). Throws with the answer on a non-2xx status. */
export async function callJson(method, url, { token, body } = {}) {
  const res = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export const FORM = 'application/x-www-form-urlencoded';

export function basic(clientId, clientSecret) {
  // RFC 6749 §2.3.1: both parts form-urlencoded before base64.
  const enc = (s) => encodeURIComponent(String(s)).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
}

/**
 * The two request kinds of a CIBA poll flow (approval happens in-process), given the server's endpoint paths.
 * Bodies are built once per call from fixed strings — the load generator must stay cheap.
 */
export function cibaRequests({ backchannelPath, tokenPath, clientId, clientSecret }) {
  const headers = { authorization: basic(clientId, clientSecret), 'content-type': FORM };
  return {
    backchannel: () => ({ method: 'POST', path: backchannelPath, headers, body: 'scope=openid&login_hint=alice' }),
    token: (authReqId) => ({
      method: 'POST',
      path: tokenPath,
      headers,
      body: `grant_type=urn%3Aopenid%3Aparams%3Agrant-type%3Aciba&auth_req_id=${encodeURIComponent(authReqId)}`,
    }),
  };
}
