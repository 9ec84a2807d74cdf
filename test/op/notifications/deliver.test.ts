import type { LookupAddress } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverOnce, MAX_RESPONSE_BYTES } from '../../../src/op/notifications/deliver.js';
import { startReceiver, TEST_TLS_CERT, type Handler, type Receiver } from '../../support/receiver.js';

const BODY = '{"auth_req_id":"1c266114-a1be-4252-8ad1-04986c5b9ac1"}';

let receivers: Receiver[] = [];
async function receiver(handler?: Handler, options?: { tls?: boolean }): Promise<Receiver> {
  const r = await startReceiver(handler, options);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  receivers = [];
});

/** A resolver that maps every name to fixed addresses, and remembers what it was asked. */
function fixedResolver(...addresses: string[]) {
  const asked: string[] = [];
  const resolveHost = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { asked, resolveHost };
}

describe('deliverOnce', () => {
  it('POSTs the JSON body with the CIBA headers and reports 2xx as delivered', async () => {
    const r = await receiver();
    const result = await deliverOnce(
      { url: r.url('/cb?x=1'), authorization: 'Bearer tok-123', body: BODY },
      { mode: 'development', timeoutMs: 2_000 },
    );
    expect(result).toEqual({ outcome: 'delivered', status: 204 });
    expect(r.requests).toHaveLength(1);
    const [req] = r.requests;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/cb?x=1');
    expect(req!.body).toBe(BODY);
    expect(req!.headers['authorization']).toBe('Bearer tok-123');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['accept']).toBe('application/json');
    expect(req!.headers['user-agent']).toBe('OpenCIBA');
    expect(req!.headers['content-length']).toBe(String(Buffer.byteLength(BODY)));
  });

  it('sends no Authorization header when none is given, and extra headers cannot replace the fixed ones', async () => {
    const r = await receiver();
    await deliverOnce(
      { url: r.url(), body: '{}', headers: { 'X-Extra': 'yes', 'Content-Type': 'text/plain' } },
      { mode: 'development', timeoutMs: 2_000 },
    );
    expect(r.requests[0]!.headers['authorization']).toBeUndefined();
    expect(r.requests[0]!.headers['x-extra']).toBe('yes');
    expect(r.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('counts 200 with a text body as delivered', async () => {
    const r = await receiver((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks'));
    expect(await deliverOnce({ url: r.url(), body: BODY }, { mode: 'development' })).toEqual({ outcome: 'delivered', status: 200 });
  });

  it('stops reading an endless 2xx body at the cap instead of waiting', async () => {
    const chunk = Buffer.alloc(16 * 1024, 'a');
    let written = 0;
    const r = await receiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const pump = () => {
        while (res.writable && written < 100 * MAX_RESPONSE_BYTES) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    });
    const started = Date.now();
    const result = await deliverOnce({ url: r.url(), body: BODY }, { mode: 'development', timeoutMs: 3_000 });
    expect(result.outcome).toBe('delivered');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it.each([400, 401, 403, 404, 429])('treats %i as final', async (status) => {
    const r = await receiver((_req, res) => res.writeHead(status).end());
    expect(await deliverOnce({ url: r.url(), body: BODY }, { mode: 'development' })).toEqual({
      outcome: 'final',
      status,
      error: `HTTP ${status}`,
    });
  });

  it.each([500, 502, 503])('asks for a retry on %i', async (status) => {
    const r = await receiver((_req, res) => res.writeHead(status).end('oops'));
    expect(await deliverOnce({ url: r.url(), body: BODY }, { mode: 'development' })).toEqual({
      outcome: 'retry',
      status,
      error: `HTTP ${status}`,
    });
  });

  it('never follows a redirect', async () => {
    const r = await receiver((req, res) => {
      if (req.path === '/cb') res.writeHead(301, { location: '/elsewhere' }).end();
      else res.writeHead(204).end();
    });
    const result = await deliverOnce({ url: r.url('/cb'), body: BODY }, { mode: 'development' });
    expect(result.outcome).toBe('final');
    expect(result.status).toBe(301);
    expect(result.error).toMatch(/redirect refused/);
    expect(r.requests.map((q) => q.path)).toEqual(['/cb']);
  });

  it('gives up after the timeout when the receiver never answers, and asks for a retry', async () => {
    const r = await receiver(() => {
      /* never answers */
    });
    const started = Date.now();
    const result = await deliverOnce({ url: r.url(), body: BODY }, { mode: 'development', timeoutMs: 200 });
    const elapsed = Date.now() - started;
    expect(result).toEqual({ outcome: 'retry', error: 'timed out after 200 ms' });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('asks for a retry when nothing listens', async () => {
    const r = await receiver();
    const url = r.url();
    await r.close();
    receivers = [];
    const result = await deliverOnce({ url, body: BODY }, { mode: 'development', timeoutMs: 1_000 });
    expect(result).toEqual({ outcome: 'retry', error: 'connection failed: ECONNREFUSED' });
  });

  it('refuses a header value that would split the request, without connecting', async () => {
    const r = await receiver();
    const result = await deliverOnce({ url: r.url(), authorization: 'Bearer a\r\nX-Evil: 1', body: BODY }, { mode: 'development' });
    expect(result.outcome).toBe('final');
    expect(result.error).toMatch(/request not sent/);
    expect(r.connections).toBe(0);
  });

  describe('in production mode', () => {
    it.each([
      ['a literal loopback address', (port: number) => `https://127.0.0.1:${port}/cb`],
      ['localhost', (port: number) => `https://localhost:${port}/cb`],
      ['a private address', () => 'https://10.1.2.3/cb'],
      ['an IPv4-mapped IPv6 loopback address', (port: number) => `https://[::ffff:127.0.0.1]:${port}/cb`],
      ['an IPv4-compatible IPv6 loopback address', (port: number) => `https://[::127.0.0.1]:${port}/cb`],
      ['plain http', (port: number) => `http://client.example.com:${port}/cb`],
      ['credentials in the URL', () => 'https://user:pw@client.example.com/cb'],
    ])('refuses %s without connecting', async (_name, urlFor) => {
      const r = await receiver();
      const result = await deliverOnce({ url: urlFor(r.port), body: BODY }, { mode: 'production', timeoutMs: 1_000 });
      expect(result.outcome).toBe('final');
      expect(result.error).toMatch(/^refused: the endpoint /);
      expect(r.connections).toBe(0);
    });

    it('refuses a name that resolves to a loopback address, on the resolved address, without connecting', async () => {
      const r = await receiver(undefined, { tls: true });
      const { asked, resolveHost } = fixedResolver('127.0.0.1');
      const result = await deliverOnce(
        { url: `https://receiver.test:${r.port}/cb`, body: BODY },
        { mode: 'production', timeoutMs: 1_000, resolveHost, ca: TEST_TLS_CERT },
      );
      expect(asked).toEqual(['receiver.test']);
      expect(result).toEqual({ outcome: 'final', error: 'refused: the host resolves to a non-public address' });
      expect(r.connections).toBe(0);
    });

    it('refuses a name when any one of its addresses is non-public', async () => {
      const r = await receiver(undefined, { tls: true });
      const { resolveHost } = fixedResolver('93.184.216.34', '127.0.0.1');
      const result = await deliverOnce(
        { url: `https://receiver.test:${r.port}/cb`, body: BODY },
        { mode: 'production', timeoutMs: 1_000, resolveHost, ca: TEST_TLS_CERT },
      );
      expect(result.outcome).toBe('final');
      expect(r.connections).toBe(0);
    });

    it('connects to exactly the resolved address it checked, over TLS, when private addresses are allowed', async () => {
      const r = await receiver(undefined, { tls: true });
      const { asked, resolveHost } = fixedResolver('127.0.0.1');
      const result = await deliverOnce(
        { url: `https://receiver.test:${r.port}/cb`, authorization: 'Bearer t', body: BODY },
        { mode: 'production', timeoutMs: 2_000, resolveHost, ca: TEST_TLS_CERT, allowPrivateAddresses: true },
      );
      expect(result).toEqual({ outcome: 'delivered', status: 204 });
      expect(asked).toEqual(['receiver.test']);
      expect(r.requests).toHaveLength(1);
      expect(r.requests[0]!.body).toBe(BODY);
    });

    it('still refuses plain http when private addresses are allowed', async () => {
      const r = await receiver();
      const result = await deliverOnce({ url: r.url(), body: BODY }, { mode: 'production', allowPrivateAddresses: true });
      expect(result).toEqual({ outcome: 'final', error: 'refused: the endpoint must use https' });
      expect(r.connections).toBe(0);
    });

    it('does not trust a self-signed certificate it was not given (a retry, not a delivery)', async () => {
      const r = await receiver(undefined, { tls: true });
      const { resolveHost } = fixedResolver('127.0.0.1');
      const result = await deliverOnce(
        { url: `https://receiver.test:${r.port}/cb`, body: BODY },
        { mode: 'production', timeoutMs: 2_000, resolveHost, allowPrivateAddresses: true },
      );
      expect(result.outcome).toBe('retry');
      expect(r.requests).toHaveLength(0);
    });
  });

  describe('in development mode', () => {
    it('allows plain http to 127.0.0.1 and to localhost', async () => {
      const r = await receiver();
      expect((await deliverOnce({ url: r.url(), body: BODY }, { mode: 'development' })).outcome).toBe('delivered');
      const { resolveHost } = fixedResolver('127.0.0.1');
      const viaName = await deliverOnce({ url: `http://localhost:${r.port}/cb`, body: BODY }, { mode: 'development', resolveHost });
      expect(viaName.outcome).toBe('delivered');
      expect(r.requests).toHaveLength(2);
    });

    it('refuses plain http to a non-loopback host', async () => {
      const result = await deliverOnce({ url: 'http://client.example.com/cb', body: BODY }, { mode: 'development' });
      expect(result.outcome).toBe('final');
      expect(result.error).toMatch(/plain http is allowed only to loopback/);
    });

    it('refuses plain http to a loopback-looking name that resolves elsewhere', async () => {
      const r = await receiver();
      const { asked, resolveHost } = fixedResolver('10.0.0.5');
      const result = await deliverOnce({ url: `http://app.localhost:${r.port}/cb`, body: BODY }, { mode: 'development', resolveHost });
      expect(asked).toEqual(['app.localhost']);
      expect(result.outcome).toBe('final');
      expect(result.error).toMatch(/resolves to a non-loopback address/);
      expect(r.connections).toBe(0);
    });
  });
});
