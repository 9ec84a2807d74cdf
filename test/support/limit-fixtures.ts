import type { OpLog } from '../../src/op/op-context.js';
import { basicAuth, postForm, type FrontFixture } from './front-fixtures.js';
import type { TestServer } from './test-server.js';

export interface LoggedEntry {
  details: Record<string, unknown>;
  message: string;
}

/** Records what the front logs (the test server's logger is off), to check security events. */
export function recordFrontLog(server: TestServer): LoggedEntry[] {
  const entries: LoggedEntry[] = [];
  const log: OpLog = { warn: (details, message) => void entries.push({ details, message }) };
  server.runtime.front.op.log = log;
  return entries;
}

/** Sets some of the front's settings (the admin call throws unless they were accepted). */
export async function setFrontLimits(front: FrontFixture, limits: Record<string, unknown>): Promise<void> {
  await front.admin('PUT', `/admin/services/${front.serviceId}/front`, limits);
}

/** One backchannel request with the fixture's client. */
export function backchannel(front: Pick<FrontFixture, 'issuer' | 'clientId' | 'clientSecret'>, form: Record<string, string>) {
  return postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', ...form }, basicAuth(front.clientId, front.clientSecret));
}
