import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchClientJwks } from '../../src/engine/ciba/client-jwks.js';

describe('fetching a client jwks_uri', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/keys') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ kty: 'EC', kid: 'k1' }] }));
      if (req.url === '/redirect') return res.writeHead(302, { location: '/keys' }).end();
      if (req.url === '/huge') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"keys":[');
        const chunk = `${JSON.stringify({ kty: 'EC', x: 'a'.repeat(1000) })},`;
        for (let i = 0; i < 400; i++) res.write(chunk);
        return res.end('{}]}');
      }
      if (req.url === '/broken') return res.writeHead(200).end('not json');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the keys and keeps them for a while', async () => {
    expect(await fetchClientJwks(`${base}/keys`, 'development')).toEqual([{ kty: 'EC', kid: 'k1' }]);
    const before = hits.length;
    expect(await fetchClientJwks(`${base}/keys`, 'development')).toHaveLength(1);
    expect(hits.length).toBe(before);
  });

  it('does not follow redirects', async () => {
    hits.length = 0;
    expect(await fetchClientJwks(`${base}/redirect`, 'development')).toEqual([]);
    expect(hits).toEqual(['/redirect']);
  });

  it('gives up on bodies over the size limit and on non-JSON', async () => {
    expect(await fetchClientJwks(`${base}/huge`, 'development')).toEqual([]);
    expect(await fetchClientJwks(`${base}/broken`, 'development')).toEqual([]);
  });

  it('never connects to loopback or private addresses in production, literal or resolved', async () => {
    hits.length = 0;
    const port = new URL(base).port;
    for (const uri of [`https://127.0.0.1:${port}/keys`, `https://localhost:${port}/keys`, `https://[::ffff:127.0.0.1]:${port}/keys`, `http://127.0.0.1:${port}/keys`]) {
      expect(await fetchClientJwks(uri, 'production'), uri).toEqual([]);
    }
    expect(hits).toEqual([]);
  });
});
