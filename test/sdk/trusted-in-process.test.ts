import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessApi } from '../../src/sdk/in-process.js';
import { form, newClient, newService, startCiba, type CibaEnv, type TestClient, type TestService } from '../support/ciba-fixtures.js';
import { DIALECTS } from '../support/test-server.js';

describe.each(DIALECTS)('the trusted in-process API (OpenCIBA\'s own front) on %s', (dialect) => {
  let env: CibaEnv;
  let service: TestService;
  let client: TestClient;

  beforeAll(async () => {
    env = await startCiba({ dialect });
    service = await newService(env, { backchannelPollingInterval: 1 });
    client = await newClient(env, service.serviceId);
  });
  afterAll(() => env?.close());

  const trusted = () => createInProcessApi(env.server.runtime.engine, { trustedCaller: true });
  const start = (api: ReturnType<typeof trusted>) =>
    api.ciba.processAuthentication({
      serviceId: service.serviceId,
      backchannelAuthenticationRequest: { parameters: form({ scope: 'openid', login_hint: 'alice' }), clientId: client.clientId, clientSecret: client.clientSecret },
    });
  const stored = (ticket: string) => env.server.runtime.store.findBackchannelRequestByTicket(Number(service.serviceId), env.server.runtime.engine.keyring.digest(ticket));

  it('holds the ticket in memory until /issue, which stores the request once, already issued', async () => {
    const api = trusted();
    const answer = await start(api);
    expect(answer.action).toBe('USER_IDENTIFICATION');
    const ticket = String(answer.ticket);
    expect(await stored(ticket)).toBeUndefined();

    const issued = await api.ciba.issue({ serviceId: service.serviceId, backchannelAuthenticationIssueRequest: { ticket } });
    expect(issued.action).toBe('OK');
    const record = await stored(ticket);
    expect(record).toMatchObject({ status: 'issued', authReqIdDigest: env.server.runtime.engine.keyring.digest(String(issued.authReqId)) });

    // Once issued it is an ordinary stored request: a second /issue is refused, /complete works from any caller.
    const again = await api.ciba.issue({ serviceId: service.serviceId, backchannelAuthenticationIssueRequest: { ticket } });
    expect(again.action).toBe('INVALID_TICKET');
    const completed = await env.sdk.ciba.complete({
      serviceId: service.serviceId,
      backchannelAuthenticationCompleteRequest: { ticket, result: 'AUTHORIZED', subject: 'alice' },
    });
    expect(completed.action).toBe('NO_ACTION');
  });

  it('/fail forgets a held ticket: a later /issue finds none', async () => {
    const api = trusted();
    const ticket = String((await start(api)).ticket);
    const failed = await api.ciba.fail({ serviceId: service.serviceId, backchannelAuthenticationFailRequest: { ticket, reason: 'UNKNOWN_USER_ID' } });
    expect(failed.action).toBe('BAD_REQUEST');
    const issued = await api.ciba.issue({ serviceId: service.serviceId, backchannelAuthenticationIssueRequest: { ticket } });
    expect(issued.action).toBe('INVALID_TICKET');
    expect(String(issued.resultMessage)).not.toMatch(/expired/i);
    expect(await stored(ticket)).toBeUndefined();
  });

  it('a held request that expired before /issue is refused as expired, not stored', async () => {
    const api = trusted();
    const answer = await api.ciba.processAuthentication({
      serviceId: service.serviceId,
      backchannelAuthenticationRequest: { parameters: form({ scope: 'openid', login_hint: 'alice', requested_expiry: '1' }), clientId: client.clientId, clientSecret: client.clientSecret },
    });
    const ticket = String(answer.ticket);
    env.clock.advance(2_000);
    const issued = await api.ciba.issue({ serviceId: service.serviceId, backchannelAuthenticationIssueRequest: { ticket } });
    expect(issued.action).toBe('INVALID_TICKET');
    expect(String(issued.resultMessage)).toMatch(/expired/i);
    expect(await stored(ticket)).toBeUndefined();
  });

  it('other callers get stored tickets, as the HTTP API does: any caller may /issue them', async () => {
    const plain = createInProcessApi(env.server.runtime.engine);
    const ticket = String((await start(plain)).ticket);
    expect(await stored(ticket)).toMatchObject({ status: 'identified' });
    const issued = await env.sdk.ciba.issue({ serviceId: service.serviceId, backchannelAuthenticationIssueRequest: { ticket } });
    expect(issued.action).toBe('OK');
    // …and a ticket held by one trusted caller is not another's.
    const heldElsewhere = String((await start(trusted())).ticket);
    const foreign = await trusted().ciba.issue({ serviceId: service.serviceId, backchannelAuthenticationIssueRequest: { ticket: heldElsewhere } });
    expect(foreign.action).toBe('INVALID_TICKET');
  });
});
