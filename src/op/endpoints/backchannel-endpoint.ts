import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BackchannelAuthenticationFailReason } from '../../wire/ciba-types.js';
import type { OpContext } from '../op-context.js';
import { loadFrontSettings } from '../front-settings.js';
import { basicCredentials } from '../http/client-credentials.js';
import { certificateFields } from '../http/client-certificate.js';
import { sendJsonContent, sendOAuthError } from '../http/oauth-reply.js';
import { claimClientRequest, claimUserRequest, userCodeCheck, type LimitRefusal, type LimitsContext } from '../users/attempt-limits.js';
import { bindingMessageAcceptable } from '../users/binding-message-policy.js';
import { identifyUser, type FailReason } from '../users/identify-user.js';
import { startDeviceInteraction } from '../device/start-device-interaction.js';
import { authenticatorAdmission } from '../authenticator/admission.js';
import { STATUS_OF_ACTION } from './action-status.js';
import { orderedId } from '../../lib/ordered-id.js';

/** The security rule behind each refusal of an identified hint that is not an unknown user. */
const RULE_OF_REASON: Record<Exclude<FailReason, 'UNKNOWN_USER_ID'>, string> = {
  ACCESS_DENIED: 'user_locked',
  EXPIRED_LOGIN_HINT_TOKEN: 'login_hint_token_expired',
  INVALID_USER_CODE: 'user_code',
};

/**
 * `{issuer}/backchannel/authentication` (CIBA §7): relay to the engine, identify the user,
 * then /issue (or /fail) and hand the request to the service's authentication device.
 * The front, as the OP, bounds what reaches a user (requests per minute per client and per user,
 * pending requests per user, user code attempts); the engine's API, like Authlete's, does not.
 */
export async function backchannelEndpoint(op: OpContext, serviceId: number, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const parameters = request.body as string;
  const basic = basicCredentials(request.headers.authorization);
  if (basic === 'malformed') return sendOAuthError(reply, 401, 'invalid_client', 'The Authorization header is malformed.', { 'www-authenticate': 'Basic realm="backchannel/authentication"' });
  const sid = String(serviceId);

  const answer = await op.engine.ciba.processAuthentication({
    serviceId: sid,
    backchannelAuthenticationRequest: { parameters, ...certificateFields(op.clientCertificates, request), ...(basic ? { clientId: basic.clientId, clientSecret: basic.clientSecret } : {}) },
  });
  if (answer.action !== 'USER_IDENTIFICATION') {
    const headers: Record<string, string> = answer.action === 'UNAUTHORIZED' ? { 'www-authenticate': 'Basic realm="backchannel/authentication"' } : {};
    return sendJsonContent(reply, STATUS_OF_ACTION[answer.action] ?? 500, answer.responseContent, headers);
  }

  const ticket = String(answer.ticket);
  const clientId = String(answer.clientId);
  const settings = await loadFrontSettings(op.store, serviceId);
  // Until /issue the ticket is what ties the front's events to the engine's for this request.
  const audit = (type: string, data: Record<string, unknown>, subject?: string) =>
    op.audit.queue({ serviceId, type, ticket, clientId, ...(subject ? { subject } : {}), data });
  const limits: LimitsContext = { store: op.store, now: () => op.clock.now(), log: op.log };
  const fail = async (reason: BackchannelAuthenticationFailReason, errorDescription: string) => {
    const failed = await op.engine.ciba.fail({ serviceId: sid, backchannelAuthenticationFailRequest: { ticket, reason, errorDescription } });
    return sendJsonContent(reply, STATUS_OF_ACTION[failed.action] ?? 500, failed.responseContent);
  };
  // The ticket is closed as denied (the engine's record says why the request ended) and the
  // client gets the front's own 429 answer, which Authlete's /fail has no reason for.
  const refuse = async (refusal: LimitRefusal) => {
    audit('security.refused', { rule: refusal.error === 'slow_down' ? 'rate_limit' : 'user_code_lockout', detail: refusal.description });
    await op.engine.ciba.fail({ serviceId: sid, backchannelAuthenticationFailRequest: { ticket, reason: 'ACCESS_DENIED', errorDescription: refusal.description } });
    return sendOAuthError(reply, 429, refusal.error, refusal.description, { 'retry-after': String(refusal.retryAfterSeconds) });
  };

  const clientLimited = await claimClientRequest(limits, settings, serviceId, clientId);
  if (clientLimited) return refuse(clientLimited);
  const identified = await identifyUser(op.store, op.engine, serviceId, answer, op.clock.now(), userCodeCheck(limits, settings, serviceId, clientId));
  if ('refusal' in identified) return refuse(identified.refusal);
  if ('reason' in identified) {
    if (identified.reason === 'UNKNOWN_USER_ID') audit('user.unknown', { hintType: String(answer.hintType) });
    else audit('security.refused', { rule: RULE_OF_REASON[identified.reason], detail: identified.description });
    return fail(identified.reason, identified.description);
  }
  audit('user.identified', { subject: identified.user.subject }, identified.user.subject);
  if (!bindingMessageAcceptable(answer.bindingMessage, settings.bindingMessageMaxLength)) {
    return fail('INVALID_BINDING_MESSAGE', `The binding message must be 1 to ${settings.bindingMessageMaxLength} printable characters.`);
  }
  const inadmissible = await authenticatorAdmission(op, settings, { serviceId, clientId: Number(clientId), subject: identified.user.subject, bindingMessage: answer.bindingMessage, ticket });
  if (inadmissible) return fail(inadmissible.reason, inadmissible.description);
  const place = await claimUserRequest(limits, settings, serviceId, clientId, identified.user.subject, orderedId(op.clock.now(), op.random));
  if ('refused' in place) return refuse(place);

  try {
    const issued = await op.engine.ciba.issue({ serviceId: sid, backchannelAuthenticationIssueRequest: { ticket } });
    if (issued.action !== 'OK') return sendJsonContent(reply, STATUS_OF_ACTION[issued.action] ?? 500, issued.responseContent);

    await startDeviceInteraction(op, settings, {
      serviceId,
      ticket,
      authReqId: String(issued.authReqId),
      expiresIn: Number(issued.expiresIn),
      subject: identified.user.subject,
      answer,
      place,
    });
    return sendJsonContent(reply, 200, issued.responseContent);
  } finally {
    // The device request row took the place over as it was stored; a request that failed on the
    // way frees it here.
    await place.release();
  }
}
