/**
 * FAPI-CIBA plan rows 38–42 (conformance-ciba.md §2.2): how the OP treats the client's
 * notification endpoint's answers. Ping mode only (the suite marks them so), hence generated only
 * for the two ping variants. The endpoint is a real loopback receiver; the test dispatches.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decide, registerClient, startConformanceOp, VARIANTS, type ConformanceOp, type PlanClient } from '../support/conformance-op.js';
import { noContent, type Handler } from '../support/receiver.js';
import { DIALECTS } from '../support/test-server.js';
import { expectPing, expectTokenSuccess, expectValidIdToken } from './checks.js';
import { startAndPollTwice } from './flow.js';

describe.each(DIALECTS)('FAPI-CIBA plan, ping rows (%s)', (dialect) => {
  let op: ConformanceOp;
  beforeAll(async () => {
    op = await startConformanceOp(dialect);
  });
  afterAll(async () => op?.close());
  afterEach(() => {
    op.receiver.handler = noContent;
  });

  describe.each(VARIANTS.filter((variant) => variant.mode === 'ping'))('$auth, $mode', (variant) => {
    let client: PlanClient;
    beforeAll(async () => {
      client = await registerClient(op, variant, 1);
    });

    /** Approves a std request while the endpoint answers with `handler`; the ping is checked (§3.6). */
    async function pingedWith(handler: Handler) {
      op.receiver.handler = handler;
      const started = await startAndPollTwice(op, client, await client.stdBackchannel());
      await decide(op, started.authReqId, 'allow');
      await op.dispatch();
      expectPing(op, client, started.authReqId);
      return started;
    }
    async function redeems(authReqId: string) {
      await expectValidIdToken(op, client, expectTokenSuccess(await client.poll(authReqId)), authReqId);
    }
    /** Time passes and the dispatcher runs again: any retry would be sent now. */
    async function laterDispatches() {
      for (let i = 0; i < 3; i += 1) {
        op.clock.advance(60_000);
        await op.dispatch();
      }
    }
    const pingsFor = (authReqId: string) => op.receiver.requests.filter((request) => request.body.includes(authReqId));

    it('row 38 (the endpoint answers 200 with a text body): the tokens are still issued', async () => {
      const started = await pingedWith((_request, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks'));
      await redeems(started.authReqId);
    });

    it.each([
      [39, 401],
      [40, 403],
    ])('row %i (the endpoint answers %i): the tokens are still issued', async (_row, status) => {
      const started = await pingedWith((_request, res) => void res.writeHead(status).end());
      await redeems(started.authReqId);
    });

    it('row 41 (the first ping is answered 401): the OP never calls the endpoint again (CIBA §10.2)', async () => {
      const started = await pingedWith((_request, res) => void res.writeHead(401).end());
      op.clock.advance(5_000);
      await redeems(started.authReqId);
      await laterDispatches();
      expect(pingsFor(started.authReqId)).toHaveLength(1);
    });

    it('row 42 (the endpoint answers 301): the OP does not follow the redirect', async () => {
      const invalid = op.receiver.url('/invalid-ciba-notification-endpoint');
      const started = await pingedWith((_request, res) => void res.writeHead(301, { location: invalid }).end());
      await laterDispatches();
      op.clock.advance(15_000);
      await redeems(started.authReqId);
      expect(op.receiver.requests.some((request) => request.path.startsWith('/invalid-ciba-notification-endpoint'))).toBe(false);
    });
  });
});
