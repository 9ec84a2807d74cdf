// node-oidc-provider (npm `oidc-provider`) as the reference CIBA implementation: poll mode, its
// default in-memory adapter, one confidential client (client_secret_basic, CIBA grant only) and
// ES256 ID tokens. Approval happens inside the server, in `triggerAuthenticationDevice`, by saving
// an approved Grant and calling provider.backchannelResult — the earliest point of the flow at
// which the library lets an application decide, so the first token request already succeeds.
// Settings come from argv/env so the benchmark keeps the client secret in one place.
// BENCH_OIDC_SQLITE=<file>: the durable SQLite adapter (oidc-provider-sqlite-adapter.mjs) instead.
import { createServer } from 'node:http';
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';
import { sqliteAdapter } from './oidc-provider-sqlite-adapter.mjs';

const port = Number(process.argv[2]);
const clientId = process.env.BENCH_CLIENT_ID;
const clientSecret = process.env.BENCH_CLIENT_SECRET;
const issuer = `http://127.0.0.1:${port}`;

// One ES256 signing key — the only key, so every ID token is ES256 like OpenCIBA's bench client.
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'bench-es256', alg: 'ES256', use: 'sig' };

const accounts = new Map([['alice', { name: 'Alice' }]]);
// BENCH_REFRESH_TOKENS=1: the client may also refresh, and every CIBA token answer carries a
// refresh token (as OpenCIBA's client with the REFRESH_TOKEN grant gets), offline_access or not.
const refreshTokens = process.env.BENCH_REFRESH_TOKENS === '1';

let provider;
provider = new Provider(issuer, {
  ...(process.env.BENCH_OIDC_SQLITE ? { adapter: sqliteAdapter(process.env.BENCH_OIDC_SQLITE) } : {}),
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['urn:openid:params:grant-type:ciba', ...(refreshTokens ? ['refresh_token'] : [])],
    response_types: [],
    redirect_uris: [],
    backchannel_token_delivery_mode: 'poll',
    id_token_signed_response_alg: 'ES256',
  }],
  jwks: { keys: [jwk] },
  enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
  cookies: { keys: ['bench-cookie-key-not-secret'] },
  issueRefreshToken: (ctx, client) => refreshTokens && client.grantTypeAllowed('refresh_token'),
  // Account lookup as cheap as OpenCIBA's user directory can hope to be: a Map.
  findAccount: (ctx, sub) => accounts.has(sub)
    ? { accountId: sub, claims: () => ({ sub, ...accounts.get(sub) }) }
    : undefined,
  features: {
    devInteractions: { enabled: false },
    ciba: {
      enabled: true,
      deliveryModes: ['poll'],
      processLoginHint: (ctx, loginHint) => (accounts.has(loginHint) ? loginHint : undefined),
      processLoginHintToken: () => undefined,
      verifyUserCode: () => {},
      validateBindingMessage: () => {},
      validateRequestContext: () => {},
      // The user "approves" at once: an approved Grant is saved and attached to the request.
      async triggerAuthenticationDevice(ctx, request, account, client) {
        const grant = new provider.Grant({ accountId: account.accountId, clientId: client.clientId });
        grant.addOIDCScope(request.scope);
        await grant.save();
        await provider.backchannelResult(request, grant);
      },
    },
  },
});

// Report server errors on stderr — the benchmark shows the tail of it when something fails.
provider.on('server_error', (ctx, err) => console.error('server_error', err));

const server = createServer(provider.callback());
server.listen(port, '127.0.0.1', () => console.log(`READY ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
