import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { request } from '../support/http.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { ManualClock } from '../support/clock.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

// Deleting a client takes its queued work with it: the notifications not yet sent and the
// requests still waiting on the device, in the same transaction as the client's row.
describe.each(DIALECTS)('deleting a client cancels its queued work on %s (manual clock, dispatcher by hand)', (dialect) => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    server = await startTestServer({ dialect, clock: new ManualClock(Date.now()), background: false });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  async function start(front: FrontFixture, form: Record<string, string>): Promise<string> {
    const response = await postForm(`${front.issuer}/backchannel/authentication`, form, basicAuth(front.clientId, front.clientSecret));
    expect(response.status, response.text).toBe(200);
    return response.json.auth_req_id as string;
  }
  const deleteClient = (front: FrontFixture) => front.admin('DELETE', `/api/${front.serviceId}/client/delete/${front.clientId}`);
  const pendingOnDevice = async (front: FrontFixture) => {
    const listed = await request(`${front.issuer}/device/api/requests?subject=alice`);
    expect(listed.status).toBe(200);
    return listed.json.requests as unknown[];
  };

  it('a queued ping is not sent and a pending device request can no longer be shown or approved', async () => {
    const front = await createFront(server, { bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/ping') });
    const approved = await start(front, { scope: 'openid', login_hint: 'alice', client_notification_token: 'n-1' });
    expect((await request(`${front.issuer}/device/api/ciba/${approved}/allow`, { method: 'POST' })).json.result).toBe('AUTHORIZED');
    const waiting = await start(front, { scope: 'openid', login_hint: 'alice', client_notification_token: 'n-2' });
    expect(await pendingOnDevice(front)).toHaveLength(1);

    await deleteClient(front);

    expect(await server.runtime.front.dispatcher.runOnce()).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    expect(await pendingOnDevice(front)).toEqual([]);
    const approve = await request(`${front.issuer}/device/api/ciba/${waiting}/allow`, { method: 'POST' });
    expect(approve.status).toBe(404);
    expect(approve.json.error).toBe('not_found');
    // Nothing was queued by the refused approval either.
    expect(await server.runtime.front.dispatcher.runOnce()).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    const notifications = await front.admin('GET', `/admin/services/${front.serviceId}/notifications`);
    expect(JSON.stringify(notifications)).not.toMatch(/"status":"pending"/);
  });

  it("a queued webhook about the client's request is not sent", async () => {
    const front = await createFront(server, { bcDeliveryMode: 'POLL' });
    await front.admin('PUT', `/admin/services/${front.serviceId}/front`, { deviceChannel: 'webhook', webhookUrl: receiver.url('/hook') });
    const before = receiver.requests.length;
    await start(front, { scope: 'openid', login_hint: 'alice' });

    await deleteClient(front);

    expect(await server.runtime.front.dispatcher.runOnce()).toBe(0);
    expect(receiver.requests.length).toBe(before);
  });

  it("another client's queued work is left alone", async () => {
    const front = await createFront(server, { bcDeliveryMode: 'PING', bcNotificationEndpoint: receiver.url('/kept') });
    const other = await front.admin('POST', `/api/${front.serviceId}/client/create`, { clientName: 'other', bcDeliveryMode: 'POLL' });
    const kept = await start(front, { scope: 'openid', login_hint: 'alice', client_notification_token: 'n-3' });
    expect((await request(`${front.issuer}/device/api/ciba/${kept}/allow`, { method: 'POST' })).json.result).toBe('AUTHORIZED');

    await front.admin('DELETE', `/api/${front.serviceId}/client/delete/${other.clientId}`);

    const before = receiver.requests.length;
    expect(await server.runtime.front.dispatcher.runOnce()).toBe(1);
    expect(receiver.requests.length).toBe(before + 1);
    expect(receiver.requests.at(-1)!.body).toBe(JSON.stringify({ auth_req_id: kept }));
  });
});
