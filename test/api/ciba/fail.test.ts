import type { BackchannelAuthenticationFailRequest, BackchannelAuthenticationFailRequestReason } from '@authlete/typescript-sdk/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/test-server.js';
import { backchannel, content, defaultParams, newClient, newService, rawPost, startCiba, type CibaEnv, type TestClient } from '../../support/ciba-fixtures.js';

/** Reference §5: reason → action and `error`. */
const CASES: [BackchannelAuthenticationFailRequestReason, 'BAD_REQUEST' | 'FORBIDDEN' | 'INTERNAL_SERVER_ERROR', string][] = [
  ['EXPIRED_LOGIN_HINT_TOKEN', 'BAD_REQUEST', 'expired_login_hint_token'],
  ['UNKNOWN_USER_ID', 'BAD_REQUEST', 'unknown_user_id'],
  ['UNAUTHORIZED_CLIENT', 'BAD_REQUEST', 'unauthorized_client'],
  ['MISSING_USER_CODE', 'BAD_REQUEST', 'missing_user_code'],
  ['INVALID_USER_CODE', 'BAD_REQUEST', 'invalid_user_code'],
  ['INVALID_BINDING_MESSAGE', 'BAD_REQUEST', 'invalid_binding_message'],
  ['INVALID_TARGET', 'BAD_REQUEST', 'invalid_target'],
  ['ACCESS_DENIED', 'FORBIDDEN', 'access_denied'],
  ['SERVER_ERROR', 'INTERNAL_SERVER_ERROR', 'server_error'],
];

describe.each(DIALECTS)('/backchannel/authentication/fail (%s)', (dialect) => {
  let env: CibaEnv;
  let serviceId: string;
  let client: TestClient;

  beforeAll(async () => {
    env = await startCiba({ dialect });
    ({ serviceId } = await newService(env));
    client = await newClient(env, serviceId);
  });
  afterAll(() => env?.close());

  async function ticket(): Promise<string> {
    const authn = await backchannel(env, serviceId, client, defaultParams(client));
    expect(authn.action).toBe('USER_IDENTIFICATION');
    return String(authn.ticket);
  }

  const fail = (request: BackchannelAuthenticationFailRequest) => env.sdk.ciba.fail({ serviceId, backchannelAuthenticationFailRequest: request });

  it.each(CASES)('reason %s gives %s with error %s, carries description and URI, and deletes the ticket', async (reason, action, error) => {
    const t = await ticket();
    const description = `The request was refused (${reason.toLowerCase()}).`;
    const uri = `https://as.example.com/errors/${reason.toLowerCase()}`;
    const response = await fail({ ticket: t, reason, errorDescription: description, errorUri: uri });
    expect(response.action).toBe(action);
    expect(response.resultCode).toBe('A185001');
    expect(response.resultMessage).toMatch(/^\[A185001\] /);
    expect(content(response)).toEqual({ error, error_description: description, error_uri: uri });

    const issued = await env.sdk.ciba.issue({ serviceId, backchannelAuthenticationIssueRequest: { ticket: t } });
    expect(issued.action).toBe('INVALID_TICKET');
    expect(issued.resultCode).toBe('A181201');
  });

  it('an omitted reason is SERVER_ERROR: INTERNAL_SERVER_ERROR with server_error', async () => {
    const t = await ticket();
    const response = await rawPost(env, `/api/${serviceId}/backchannel/authentication/fail`, { ticket: t });
    expect(response.status).toBe(200);
    expect(response.json.action).toBe('INTERNAL_SERVER_ERROR');
    expect(response.json.resultCode).toBe('A185001');
    expect(JSON.parse(response.json.responseContent)).toEqual({ error: 'server_error' });
    expect(response.text).not.toContain('null');
    const issued = await env.sdk.ciba.issue({ serviceId, backchannelAuthenticationIssueRequest: { ticket: t } });
    expect(issued.action).toBe('INVALID_TICKET');
  });

  it('without description or URI, responseContent holds only the error', async () => {
    const response = await fail({ ticket: await ticket(), reason: 'UNKNOWN_USER_ID' });
    expect(content(response)).toEqual({ error: 'unknown_user_id' });
  });

  it.each([
    ['a double quote', 'User "alice" is unknown'],
    ['a newline', 'User is unknown\nTry again'],
    ['a backslash', 'User C:\\alice is unknown'],
    ['a non-ASCII character', 'Benutzer unbekannt: Jörg'],
  ])('a description with %s is not carried into responseContent', async (_name, description) => {
    const response = await fail({ ticket: await ticket(), reason: 'UNKNOWN_USER_ID', errorDescription: description, errorUri: 'https://as.example.com/e' });
    expect(response.action).toBe('BAD_REQUEST');
    expect(response.resultCode).toBe('A185001');
    const body = content(response);
    expect(body.error).toBe('unknown_user_id');
    expect(body).not.toHaveProperty('error_description');
    expect(body.error_uri).toBe('https://as.example.com/e');
  });

  it('an error URI with a space or a double quote is not carried', async () => {
    const response = await fail({ ticket: await ticket(), reason: 'ACCESS_DENIED', errorDescription: 'fine', errorUri: 'https://as.example.com/a b"' });
    expect(response.action).toBe('FORBIDDEN');
    expect(content(response)).toEqual({ error: 'access_denied', error_description: 'fine' });
  });

  it('an unknown ticket is not an error', async () => {
    const response = await fail({ ticket: 'no-such-ticket-' + 'x'.repeat(30), reason: 'ACCESS_DENIED' });
    expect(response.action).toBe('FORBIDDEN');
    expect(response.resultCode).toBe('A185001');
    expect(content(response)).toEqual({ error: 'access_denied' });
  });

  it('a ticket of another service is neither deleted nor an error', async () => {
    const other = await newService(env);
    const t = await ticket();
    const response = await env.sdk.ciba.fail({ serviceId: other.serviceId, backchannelAuthenticationFailRequest: { ticket: t, reason: 'UNKNOWN_USER_ID' } });
    expect(response.action).toBe('BAD_REQUEST');
    expect(response.resultCode).toBe('A185001');
    const issued = await env.sdk.ciba.issue({ serviceId, backchannelAuthenticationIssueRequest: { ticket: t } });
    expect(issued.action).toBe('OK');
  });

  it('a ticket that already has an auth_req_id is kept: its outcome and replay record stay', async () => {
    // /fail answers a request rejected before /issue; once the client holds an auth_req_id the
    // transaction ends through /complete or expiry (Authlete is silent on this order).
    const t = await ticket();
    expect((await env.sdk.ciba.issue({ serviceId, backchannelAuthenticationIssueRequest: { ticket: t } })).action).toBe('OK');
    expect((await fail({ ticket: t, reason: 'UNKNOWN_USER_ID' })).action).toBe('BAD_REQUEST');
    const completed = await env.sdk.ciba.complete({ serviceId, backchannelAuthenticationCompleteRequest: { ticket: t, result: 'AUTHORIZED', subject: 'alice' } });
    expect(completed.action).toBe('NO_ACTION');
  });
});
