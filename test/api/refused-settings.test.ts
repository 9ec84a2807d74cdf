import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNSUPPORTED_CLIENT_SETTINGS, UNSUPPORTED_SERVICE_SETTINGS } from '../../src/engine/services/unsupported-settings.js';
import { writableMembers } from '../../src/wire/schemas.js';
import { newClient, newService, rawPost, startCiba, type CibaEnv } from '../support/ciba-fixtures.js';
import { DIALECTS } from '../support/test-server.js';

// Issue 12, finding 1: a setting OpenCIBA stores is enforced or refused, never ignored. These are
// the refused ones: a value with an effect is a 400 naming the member, at create and at update;
// the inert value (what the official SDK sends back in a read-modify-write) is accepted.

const ACTIVE_VALUE: Record<string, unknown> = {
  accessTokenSignAlg: 'RS256',
  accessTokenType: 'MAC',
  clientsPerDeveloper: 3,
  idTokenEncryptionAlg: 'RSA_OAEP',
  idTokenEncryptionEnc: 'A128GCM',
  userInfoEncryptionAlg: 'RSA_OAEP',
  userInfoEncryptionEnc: 'A128GCM',
  subjectType: 'PAIRWISE',
  sectorIdentifierUri: 'https://sector.example.com/ids.json',
  defaultMaxAge: 600,
  dpopNonceDuration: 60,
  selfSignedCertificateKeyId: 'self-signed-1',
};
const activeValue = (member: string) => ACTIVE_VALUE[member] ?? true;

describe.each(DIALECTS)('settings OpenCIBA does not implement are refused with a 400 naming them (%s)', (dialect) => {
  let env: CibaEnv;
  let serviceId: string;
  let clientId: string;

  beforeAll(async () => {
    env = await startCiba({ dialect });
    serviceId = (await newService(env)).serviceId;
    clientId = (await newClient(env, serviceId)).clientId;
  });
  afterAll(() => env?.close());

  const expectRefused = (response: { status: number; json: any; headers: Headers }, member: string) => {
    expect(response.status, JSON.stringify(response.json)).toBe(400);
    expect(response.json.resultCode).toBe('A001201');
    expect(response.json.resultMessage).toContain(`'${member}'`);
    expect(response.headers.get('cache-control')).toBe('no-store');
  };

  it('service members: refused at create and at update, inert values accepted', async () => {
    const current = await env.admin.call('GET', `/api/${serviceId}/service/get`);
    for (const member of Object.keys(UNSUPPORTED_SERVICE_SETTINGS)) {
      expectRefused(await rawPost(env, '/api/service/create', { serviceName: 'refused', [member]: activeValue(member) }), member);
      expectRefused(await rawPost(env, `/api/${serviceId}/service/update`, { ...current, [member]: activeValue(member) }), member);
    }
    const inert = await rawPost(env, `/api/${serviceId}/service/update`, { ...current, accessTokenType: 'Bearer', singleAccessTokenPerSubject: false, clientsPerDeveloper: 0, accessTokenSignAlg: null });
    expect(inert.status, inert.text).toBe(200);
  });

  it('client members: refused at create and at update, inert values accepted', async () => {
    const current = await env.admin.call('GET', `/api/${serviceId}/client/get/${clientId}`);
    for (const member of Object.keys(UNSUPPORTED_CLIENT_SETTINGS)) {
      expectRefused(await rawPost(env, `/api/${serviceId}/client/create`, { clientName: 'refused', [member]: activeValue(member) }), member);
      expectRefused(await rawPost(env, `/api/${serviceId}/client/update/${clientId}`, { ...current, [member]: activeValue(member) }), member);
    }
    const inert = await rawPost(env, `/api/${serviceId}/client/update/${clientId}`, { ...current, subjectType: 'PUBLIC', authTimeRequired: false, defaultMaxAge: 0 });
    expect(inert.status, inert.text).toBe(200);
  });

  it('values the enforced settings cannot use are refused too (hostile input)', async () => {
    const service: [string, unknown][] = [
      ['supportedTokenAuthMethods', ['CLIENT_SECRET_BASIC', 'TELEPATHY']],
      ['supportedIntrospectionAuthMethods', ['NONE']],
      ['supportedRevocationAuthMethods', [{}]],
      ['clientIdAliasEnabled', {}],
      ['clientAssertionAudRestrictedToIssuer', { yes: true }],
      ['supportedClaims', [{}]],
      ['supportedScopes', [{ name: 'openid', attributes: [{ key: 'access_token.duration', value: '10' }] }]],
    ];
    // Some are caught by the wire schema's validator and some by the engine: both name the member.
    for (const [member, value] of service) {
      const answer = await rawPost(env, '/api/service/create', { serviceName: 'bad', [member]: value });
      expect(answer.status, `${member} ${JSON.stringify(value)}`).toBe(400);
      expect(answer.json.resultMessage).toContain(member);
    }
    const client: [string, unknown][] = [
      ['extension', { requestableScopesEnabled: 'yes' }],
      ['extension', { requestableScopes: [{}] }],
      ['extension', { requestableScopes: ['openid email'] }],
      ['extension', { requestableScopes: Array.from({ length: 1001 }, (_, i) => `s${i}`) }],
      ['clientIdAliasEnabled', {}],
      ['locked', { locked: true }],
    ];
    for (const [member, value] of client) {
      const answer = await rawPost(env, `/api/${serviceId}/client/create`, { clientName: 'bad', [member]: value });
      expect(answer.status, `${member} ${JSON.stringify(value)}`).toBe(400);
      expect(answer.json.resultMessage).toContain(member);
    }
  });
});

describe('docs/settings.md lists every Service and Client member', () => {
  const doc = readFileSync(new URL('../../docs/settings.md', import.meta.url), 'utf8');
  // The Service table comes before the '## Client' heading, the Client table after it.
  const [servicePart, clientPart = ''] = doc.split('\n## Client');
  const rows = new Map<string, string>();
  for (const [kind, part] of [['service', servicePart!], ['client', clientPart]] as const) {
    for (const match of part.matchAll(/^\| `([A-Za-z0-9]+)` \|([^|]*)\|/gm)) rows.set(`${kind}:${match[1]}`, match[2]!.trim());
  }

  it('has one row per writable member of each schema', () => {
    const missing = [
      ...writableMembers('service').filter((m) => !rows.has(`service:${m}`)).map((m) => `service ${m}`),
      ...writableMembers('client').filter((m) => !rows.has(`client:${m}`)).map((m) => `client ${m}`),
    ];
    expect(missing).toEqual([]);
  });

  it('says "refused" for each member the engine refuses', () => {
    for (const member of Object.keys(UNSUPPORTED_SERVICE_SETTINGS)) expect(rows.get(`service:${member}`), member).toMatch(/^refused/);
    for (const member of Object.keys(UNSUPPORTED_CLIENT_SETTINGS)) expect(rows.get(`client:${member}`), member).toMatch(/^refused/);
  });
});
