// The machine's limit for a Node endpoint: a bare node:http server that reads a small form POST,
// parses it (as any OAuth endpoint must) and answers a small JSON body shaped like a backchannel
// response. No framework, no crypto, no storage — whatever an OpenID Provider does on top of this
// is its own cost. Listens on 127.0.0.1 only.
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
let counter = 0;

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString('latin1'));
    if (req.method !== 'POST' || !form.get('login_hint')) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":"invalid_request"}');
      return;
    }
    counter += 1;
    const body = JSON.stringify({ auth_req_id: `bare-${counter}`, expires_in: 600, interval: 1 });
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
// Node's defaults (keep-alive 5 s) — the same as OpenCIBA's Fastify and oidc-provider's Koa get.
server.listen(port, '127.0.0.1', () => console.log(`READY ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
