/**
 * The OP as the FAPI-CIBA conformance suite sees it (test/conformance): a front over direct TLS
 * with a client CA, a service that requires signed requests and binds tokens to certificates,
 * and two clients per variant, each with its own key and its own certificate. Times come from a
 * ManualClock; ping notifications go to a real loopback receiver, sent when the test dispatches.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { importJWK } from 'jose';
import { CIBA_GRANT, jwtBearerType, keyPair, signJwt, type KeyPair } from './ciba-fixtures.js';
import { ManualClock } from './clock.js';
import { makeTestPki, type Issued, type TestPki } from './pki.js';
import { startReceiver, type Receiver } from './receiver.js';
import { startTestServer, type Dialect, type TestServer } from './test-server.js';
import { certificateFetch, tlsRequest, type TlsRequest } from './tls-client.js';
import type { RawResponse } from './http.js';

export type AuthType = 'private_key_jwt' | 'tls_client_auth';
export type CibaMode = 'poll' | 'ping';
export interface Variant {
  auth: AuthType;
  mode: CibaMode;
}
/** The plan's four variants (push is never applicable, §1.1). */
export const VARIANTS: Variant[] = [
  { auth: 'private_key_jwt', mode: 'poll' },
  { auth: 'private_key_jwt', mode: 'ping' },
  { auth: 'tls_client_auth', mode: 'poll' },
  { auth: 'tls_client_auth', mode: 'ping' },
];

/**
 * A ManualClock that also follows real time: openid-client signs its client assertions with the
 * machine's clock, so the server's time must not stand still behind it (an assertion would be
 * "not yet valid"). Waits are still never slept: `advance` jumps ahead.
 */
export class FollowingClock extends ManualClock {
  private readonly realStart = Date.now();
  constructor() {
    super(Date.now());
  }
  override now(): number {
    return this.current + (Date.now() - this.realStart);
  }
}

export interface ConformanceOp {
  server: TestServer;
  pki: TestPki;
  clock: FollowingClock;
  receiver: Receiver;
  serviceId: string;
  issuer: string;
  metadata: Record<string, any>;
  /** Sends due notifications now (the server runs without background timers). */
  dispatch(): Promise<unknown>;
  /** An HTTPS call to the front with the given certificate (or none). */
  call(url: string, cert: Issued | undefined, options?: TlsRequest): Promise<RawResponse>;
  admin(method: string, path: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

/** `service` replaces members of the service's settings (a member set to undefined is left out). */
export async function startConformanceOp(dialect: Dialect, options: { service?: Record<string, unknown> } = {}): Promise<ConformanceOp> {
  const pki = makeTestPki();
  writeFileSync(join(pki.dir, 'bundle.pem'), pki.root.cert + pki.intermediate.cert);
  const clock = new FollowingClock();
  const server = await startTestServer({
    dialect,
    clock,
    background: false,
    env: { OPENCIBA_TLS_CERT: join(pki.dir, 'server.pem'), OPENCIBA_TLS_KEY: join(pki.dir, 'server.key'), OPENCIBA_TLS_CLIENT_CA: join(pki.dir, 'bundle.pem') },
  });
  const receiver = await startReceiver();
  const call = (url: string, cert: Issued | undefined, options: TlsRequest = {}) => tlsRequest(url, { ca: pki.root.cert, cert }, options);
  // The management API over the same TLS listener (the shared admin helper uses plain fetch).
  const admin = async (method: string, path: string, body?: unknown) => {
    const answer = await call(`${server.baseUrl}${path}`, undefined, { method, headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status} ${answer.text}`);
    return answer.json;
  };
  // FAPI-CIBA as explicit settings: signed requests required (row 43), certificate-bound tokens.
  const service = await admin('POST', '/api/service/create', {
    serviceName: 'fapi-ciba conformance',
    backchannelPollingInterval: 5,
    tlsClientCertificateBoundAccessTokens: true,
    requestObjectRequired: true,
    ...options.service,
  });
  const serviceId = String(service.apiKey);
  const issuer = String(service.issuer);
  // One user carries every module's requests, more at once than a real user's device would.
  await admin('PUT', `/admin/services/${serviceId}/front`, { maxPendingRequestsPerUser: 1_000, maxRequestsPerMinutePerUser: 100_000 });
  await admin('PUT', `/admin/services/${serviceId}/users/alice`, { name: 'Alice', email: 'alice@example.com' });
  const metadata = (await call(`${issuer}/.well-known/openid-configuration`, undefined)).json;
  return {
    server,
    pki,
    clock,
    receiver,
    serviceId,
    issuer,
    metadata,
    dispatch: () => server.runtime.front.dispatcher.runOnce(),
    call,
    admin,
    async close() {
      await receiver.close();
      await server.close();
      pki.remove();
    },
  };
}

/** A conformance client: its registration, key, certificate, and the calls the suite makes as it. */
export interface PlanClient {
  clientId: string;
  variant: Variant;
  key: KeyPair;
  /** Its TLS client certificate (client 1: CN=payments-client, client 2: CN=intruder, both under the test root). */
  cert: Issued;
  /** The RFC 6750 b64token the suite sends in ping mode (28 characters ending in `=`; 1024 for client 2 of row 3). */
  notificationToken: string;
  /** Request-object claims of the std request (§2.1), with `overrides` applied (`undefined` removes a claim). */
  requestObject(overrides?: Record<string, unknown>, options?: { key?: KeyPair; alg?: KeyPair['alg']; header?: Record<string, unknown> }): Promise<string>;
  /** The form members that authenticate this client at `audience` (private_key_jwt: an assertion; mtls: client_id). */
  authForm(audience: string, options?: { key?: KeyPair; alg?: KeyPair['alg'] }): Promise<Record<string, string>>;
  backchannel(form: Record<string, string>, options?: { cert?: Issued | null }): Promise<RawResponse>;
  /** Std request; `claims` override the request object's. */
  stdBackchannel(claims?: Record<string, unknown>): Promise<RawResponse>;
  token(form: Record<string, string>, options?: { cert?: Issued | null; auth?: Record<string, string> }): Promise<RawResponse>;
  poll(authReqId: string, options?: { cert?: Issued | null; auth?: Record<string, string> }): Promise<RawResponse>;
  /** openid-client configured for this client over mutual TLS with its certificate. */
  openid(cert?: Issued | null): Promise<oidc.Configuration>;
}

/** The same key signing with another algorithm of its type (RS256 with a PS256 client's RSA key). */
function withAlg(key: KeyPair, alg: KeyPair['alg'] | undefined): KeyPair {
  return alg === undefined || alg === key.alg ? key : { ...key, alg, privateJwk: { ...key.privateJwk, alg } };
}

const b64token = (length: number) => `${randomBytes(length).toString('base64url').slice(0, length - 1)}=`;

/** `settings` replaces members of the client's registration (a member set to undefined is left out). */
export async function registerClient(op: ConformanceOp, variant: Variant, which: 1 | 2, settings: Record<string, unknown> = {}): Promise<PlanClient> {
  // Client 1 signs PS256 and holds the payments-client certificate; client 2 signs ES256 and holds CN=intruder's.
  const key = await keyPair(which === 1 ? 'PS256' : 'ES256');
  const cert = which === 1 ? op.pki.directClient : op.pki.otherSubjectClient;
  const subjectDn = which === 1 ? op.pki.subjectDn : 'CN=intruder,O=Bank';
  const created = await op.admin('POST', `/api/${op.serviceId}/client/create`, {
    clientName: `conformance client ${which}`,
    bcDeliveryMode: variant.mode.toUpperCase(),
    ...(variant.mode === 'ping' ? { bcNotificationEndpoint: op.receiver.url(`/ciba-notification-endpoint/${which}`) } : {}),
    bcRequestSignAlg: key.alg,
    idTokenSignAlg: key.alg,
    // Registered without `alg`, so that what refuses RS256 from this RSA key (rows 26, 35, 36) is
    // the client's bcRequestSignAlg / tokenAuthSignAlg, not the key's own alg member.
    jwks: JSON.stringify({ keys: [{ ...key.publicJwk, alg: undefined }] }),
    tlsClientCertificateBoundAccessTokens: true,
    ...(variant.auth === 'private_key_jwt' ? { tokenAuthMethod: 'PRIVATE_KEY_JWT', tokenAuthSignAlg: key.alg } : { tokenAuthMethod: 'TLS_CLIENT_AUTH', tlsClientAuthSubjectDn: subjectDn }),
    ...settings,
  });
  const clientId = String(created.clientId);
  const notificationToken = b64token(28);
  const metadata = op.metadata;
  const tokenEndpoint: string = metadata.mtls_endpoint_aliases?.token_endpoint ?? metadata.token_endpoint;
  // §1.3: with private_key_jwt the suite uses the plain backchannel endpoint, with mtls its alias.
  const backchannelEndpoint: string = variant.auth === 'tls_client_auth' ? (metadata.mtls_endpoint_aliases?.backchannel_authentication_endpoint ?? metadata.backchannel_authentication_endpoint) : metadata.backchannel_authentication_endpoint;
  const now = () => Math.floor(op.clock.now() / 1000);

  const client: PlanClient = {
    clientId,
    variant,
    key,
    cert,
    notificationToken,
    async requestObject(overrides = {}, options = {}) {
      const claims: Record<string, unknown> = {
        scope: 'openid email',
        login_hint: 'alice',
        binding_message: '1234',
        ...(variant.mode === 'ping' ? { client_notification_token: notificationToken } : {}),
        iat: now(),
        exp: now() + 300,
        nbf: now(),
        jti: randomBytes(15).toString('base64url').replace(/[-_]/g, 'x').slice(0, 20),
        aud: op.issuer,
        iss: clientId,
        ...overrides,
      };
      for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
      return signJwt(withAlg(options.key ?? key, options.alg), claims, options.header ?? {});
    },
    async authForm(audience, options = {}): Promise<Record<string, string>> {
      if (variant.auth === 'tls_client_auth') return { client_id: clientId };
      const payload = { iss: clientId, sub: clientId, aud: audience, jti: randomBytes(12).toString('hex'), iat: now(), nbf: now(), exp: now() + 60 };
      return { client_assertion_type: jwtBearerType, client_assertion: await signJwt(withAlg(options.key ?? key, options.alg), payload) };
    },
    backchannel(form, options = {}) {
      return op.call(backchannelEndpoint, options.cert === null ? undefined : (options.cert ?? cert), { form, headers: { accept: 'application/json' } });
    },
    async stdBackchannel(claims = {}) {
      const assertionAudience = metadata.backchannel_authentication_endpoint;
      return client.backchannel({ request: await client.requestObject(claims), ...(await client.authForm(assertionAudience)) });
    },
    token(form, options = {}) {
      return op.call(tokenEndpoint, options.cert === null ? undefined : (options.cert ?? cert), { form, headers: { accept: 'application/json' } });
    },
    async poll(authReqId, options = {}) {
      const auth = options.auth ?? (await client.authForm(tokenEndpoint));
      return client.token({ grant_type: CIBA_GRANT, auth_req_id: authReqId, ...auth }, options);
    },
    async openid(withCert) {
      const clientAuth = variant.auth === 'tls_client_auth' ? oidc.TlsClientAuth() : oidc.PrivateKeyJwt({ key: (await importJWK(key.privateJwk, key.alg)) as CryptoKey, kid: key.kid });
      return oidc.discovery(new URL(op.issuer), clientId, { use_mtls_endpoint_aliases: true, id_token_signed_response_alg: key.alg }, clientAuth, {
        [oidc.customFetch]: certificateFetch({ ca: op.pki.root.cert, cert: withCert === null ? undefined : (withCert ?? cert) }) as never,
      });
    },
  };
  return client;
}

/** Approves (or denies) on the device simulator, as the suite's automated approval URL does (§1.4). */
export async function decide(op: ConformanceOp, authReqId: string, action: 'allow' | 'deny'): Promise<void> {
  const answer = await op.call(`${op.issuer}/device/api/ciba/${encodeURIComponent(authReqId)}/${action}`, undefined, { method: 'POST' });
  if (answer.status !== 200) throw new Error(`device ${action} → ${answer.status} ${answer.text}`);
}
