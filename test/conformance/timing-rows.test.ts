/**
 * FAPI-CIBA plan rows 5 and 6 (conformance-ciba.md §2.2, §3.10): rapid polling and the
 * auth_req_id's lifetime, in the four variants, on both dialects. Time moves on a ManualClock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, registerClient, startConformanceOp, VARIANTS, type ConformanceOp, type PlanClient } from '../support/conformance-op.js';
import { DIALECTS } from '../support/test-server.js';
import { expectBackchannelSuccess, expectPending, expectPing, expectTokenError } from './checks.js';
import { startAndPollTwice, waitInterval } from './flow.js';

describe.each(DIALECTS)('FAPI-CIBA plan, timing rows (%s)', (dialect) => {
  let op: ConformanceOp;
  beforeAll(async () => {
    op = await startConformanceOp(dialect);
  });
  afterAll(async () => op?.close());

  describe.each(VARIANTS)('$auth, $mode', (variant) => {
    let client: PlanClient;
    beforeAll(async () => {
      client = await registerClient(op, variant, 1);
    });

    it('row 5 (20 token requests back to back, never approved): pending, invalid_request or 503 with Retry-After; never tokens', async () => {
      const started = await startAndPollTwice(op, client, await client.stdBackchannel());
      for (let i = 0; i < 20; i += 1) {
        const answer = await client.poll(started.authReqId);
        expect(answer.status).not.toBe(200);
        if (answer.status === 503) {
          expect(answer.json.error).toBeTruthy();
          expect(answer.headers.get('retry-after')).toBeTruthy();
          break;
        }
        if (answer.json?.error === 'invalid_request') {
          expectTokenError(answer, { invalid_request: [400] });
          break;
        }
        expectPending(answer);
      }
      if (variant.mode === 'ping') {
        // The suite then approves and ends when the ping arrives.
        await decide(op, started.authReqId, 'allow');
        await op.dispatch();
        expectPing(op, client, started.authReqId);
      }
    });

    it('row 6 (requested_expiry 10, never approved): expires_in 10, then expired_token once it has passed', async () => {
      const { authReqId, expiresIn, interval = 5 } = expectBackchannelSuccess(await client.stdBackchannel({ requested_expiry: 10 }));
      expect(expiresIn).toBe(10);
      expectPending(await client.poll(authReqId));
      waitInterval(op, interval);
      expectPending(await client.poll(authReqId));
      // The suite sleeps expires_in (plus 5 s in ping mode) after the second poll.
      op.clock.advance(expiresIn * 1000 + (variant.mode === 'ping' ? 5_000 : 0));
      await op.server.runtime.front.sweep();
      await op.dispatch();
      // A ping after expiry is optional; one that is sent must pass §3.6.
      if (op.receiver.requests.some((request) => request.body.includes(authReqId))) expectPing(op, client, authReqId);
      const expired = await client.poll(authReqId);
      expect(expired.status).not.toBe(200);
      expectTokenError(expired, { expired_token: [400] });
    });

    it('row 6, the other side (§3.10): a request stays redeemable until its requested expiry', async () => {
      const { authReqId, expiresIn } = expectBackchannelSuccess(await client.stdBackchannel({ requested_expiry: 10 }));
      op.clock.advance((expiresIn - 1) * 1000);
      await op.server.runtime.front.sweep();
      expectPending(await client.poll(authReqId));
    });
  });
});
