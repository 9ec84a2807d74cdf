import type { BackchannelAuthenticationFailReason } from '../../wire/ciba-types.js';
import type { FrontSettings } from '../front-settings.js';
import type { OpContext } from '../op-context.js';
import { numberOf } from './number-matching.js';
import { recordRefusal } from './authenticator-audit.js';

/**
 * The authenticator channel's own conditions on a new request: a client the user reported ("This
 * wasn't me") is refused until its suspension ends (CIBA §13: access_denied, the OP declined), and
 * under number matching the binding message must carry the number to pick.
 */
export async function authenticatorAdmission(
  op: OpContext,
  settings: FrontSettings,
  request: { serviceId: number; clientId: number; subject: string; bindingMessage: unknown; ticket: string },
): Promise<{ reason: BackchannelAuthenticationFailReason; description: string } | undefined> {
  if (settings.deviceChannel !== 'authenticator') return undefined;
  const until = await op.store.suspendedUntil(request.serviceId, request.subject, request.clientId, op.clock.now());
  if (until !== undefined) {
    await recordRefusal(op, 'authenticator_suspended', request, 'A request from a client the user reported, while it is suspended.', { suspendedUntil: new Date(until).toISOString() });
    return { reason: 'ACCESS_DENIED', description: 'The user has reported requests from this client; new ones are refused for a while.' };
  }
  if (settings.authenticatorNumberMatching && numberOf(request.bindingMessage) === undefined) {
    return { reason: 'INVALID_BINDING_MESSAGE', description: 'This service uses number matching: the binding message must show a number.' };
  }
  return undefined;
}
