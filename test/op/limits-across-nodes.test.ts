import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock.js';
import { createFront, type FrontFixture } from '../support/front-fixtures.js';
import { backchannel, setFrontLimits } from '../support/limit-fixtures.js';
import { DIALECTS, type TestServer } from '../support/test-server.js';
import { startTwoNodes } from '../support/two-nodes.js';

describe.each(DIALECTS)('limits hold across two nodes on one database (%s)', (dialect) => {
  const clock = new ManualClock(Date.now());
  let nodeA: TestServer;
  let nodeB: TestServer;
  let closeNodes: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ nodeA, nodeB, close: closeNodes } = await startTwoNodes(dialect, clock));
  });
  afterAll(() => closeNodes?.());

  /** The same front, reached through node B. */
  const atB = (front: FrontFixture) => ({ ...front, issuer: front.issuer.replace(nodeA.baseUrl, nodeB.baseUrl) });

  it('a burst split over both nodes gets exactly the pending cap', async () => {
    const front = await createFront(nodeA);
    await setFrontLimits(front, { maxPendingRequestsPerUser: 3, maxRequestsPerMinutePerUser: 1000 });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => backchannel(i % 2 ? front : atB(front), { login_hint: 'alice' })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(17);
  });

  it('wrong user codes at either node add up to one lockout', async () => {
    const front = await createFront(nodeA, { bcUserCodeRequired: true }, { backchannelUserCodeParameterSupported: true });
    for (const code of ['0001', '0002', '0003']) expect((await backchannel(front, { login_hint: 'bob', user_code: code })).json.error).toBe('invalid_user_code');
    for (const code of ['0004', '0005']) expect((await backchannel(atB(front), { login_hint: 'bob', user_code: code })).json.error).toBe('invalid_user_code');
    expect((await backchannel(front, { login_hint: 'bob', user_code: '4321' })).status).toBe(429);
    expect((await backchannel(atB(front), { login_hint: 'bob', user_code: '4321' })).status).toBe(429);
  });
});
