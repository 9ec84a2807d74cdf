/** The common flow of §2.1, as the suite runs it, reused by the module tests. */
import { expect } from 'vitest';
import { decide, type ConformanceOp, type PlanClient } from '../support/conformance-op.js';
import type { RawResponse } from '../support/http.js';
import { expectBackchannelSuccess, expectPending, expectPing, expectTokenSuccess, expectValidIdToken, type Tokens } from './checks.js';

/** Moves the server's clock past the polling interval, as the suite sleeps max(5, interval). */
export const waitInterval = (op: ConformanceOp, interval = 5) => op.clock.advance(Math.max(5, interval) * 1000);

export interface Started {
  authReqId: string;
  expiresIn: number;
  interval: number;
}

/** The backchannel request (checked as §3.1) and the two pending polls before the user acts. */
export async function startAndPollTwice(op: ConformanceOp, client: PlanClient, answer: RawResponse): Promise<Started> {
  const { authReqId, expiresIn, interval = 5 } = expectBackchannelSuccess(answer);
  expectPending(await client.poll(authReqId));
  waitInterval(op, interval);
  expectPending(await client.poll(authReqId));
  waitInterval(op, interval);
  return { authReqId, expiresIn, interval };
}

/** After the user acted: in ping mode the ping (§3.6), then one token call; in poll mode, the poll. */
export async function afterDecision(op: ConformanceOp, client: PlanClient, started: Started, notificationToken = client.notificationToken): Promise<RawResponse> {
  if (client.variant.mode === 'ping') {
    await op.dispatch();
    expectPing(op, client, started.authReqId, notificationToken);
  } else {
    await op.dispatch();
    // Poll mode: the OP never calls a notification endpoint.
    expect(op.receiver.requests.some((request) => request.body.includes(started.authReqId))).toBe(false);
  }
  return client.poll(started.authReqId);
}

/** "Full success" (§3.1–3.5, §3.8): backchannel, pending polls, approval, tokens, ID token, userinfo with the bound token. */
export interface FlowOptions {
  /** The request object's JWS header members. */
  header?: Record<string, unknown>;
  /** The backchannel client assertion's aud (default the backchannel endpoint). */
  assertionAudience?: string;
  /** The client_notification_token sent, when the claims override it. */
  notificationToken?: string;
}

export async function fullSuccess(op: ConformanceOp, client: PlanClient, claims: Record<string, unknown> = {}, options: FlowOptions = {}): Promise<{ started: Started; tokens: Tokens; idToken: Record<string, any> }> {
  const request = await client.requestObject(claims, options.header ? { header: options.header } : {});
  const answer = await client.backchannel({ request, ...(await client.authForm(options.assertionAudience ?? op.metadata.backchannel_authentication_endpoint)) });
  const started = await startAndPollTwice(op, client, answer);
  await decide(op, started.authReqId, 'allow');
  const tokens = expectTokenSuccess(await afterDecision(op, client, started, options.notificationToken));
  const idToken = await expectValidIdToken(op, client, tokens, started.authReqId);
  const userinfo = await op.call(op.metadata.mtls_endpoint_aliases?.userinfo_endpoint ?? op.metadata.userinfo_endpoint, client.cert, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  expect(userinfo.status, userinfo.text).toBe(200);
  expect(userinfo.json.sub).toBe(idToken.sub);
  return { started, tokens, idToken };
}
