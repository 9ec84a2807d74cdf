import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BackchannelAuthenticationFailReason } from '../../wire/ciba-types.js';
import type { OpContext } from '../op-context.js';
import { loadFrontSettings } from '../front-settings.js';
import { basicCredentials } from '../http/client-credentials.js';
import { certificateFields } from '../http/client-certificate.js';
import { sendJsonContent, sendOAuthError } from '../http/oauth-reply.js';
import { bindingMessageAcceptable } from '../users/binding-message-policy.js';
import { identifyUser } from '../users/identify-user.js';
import { startDeviceInteraction } from '../device/start-device-interaction.js';
import { STATUS_OF_ACTION } from './action-status.js';

/**
 * `{issuer}/backchannel/authentication` (CIBA §7): relay to the engine, identify the user,
 * then /issue (or /fail) and hand the request to the service's authentication device.
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
  const settings = await loadFrontSettings(op.store, serviceId);
  const fail = async (reason: BackchannelAuthenticationFailReason, errorDescription: string) => {
    const failed = await op.engine.ciba.fail({ serviceId: sid, backchannelAuthenticationFailRequest: { ticket, reason, errorDescription } });
    return sendJsonContent(reply, STATUS_OF_ACTION[failed.action] ?? 500, failed.responseContent);
  };

  const identified = await identifyUser(op.store, op.engine, serviceId, answer, op.clock.now());
  if ('reason' in identified) return fail(identified.reason, identified.description);
  if (!bindingMessageAcceptable(answer.bindingMessage, settings.bindingMessageMaxLength)) {
    return fail('INVALID_BINDING_MESSAGE', `The binding message must be 1 to ${settings.bindingMessageMaxLength} printable characters.`);
  }

  const issued = await op.engine.ciba.issue({ serviceId: sid, backchannelAuthenticationIssueRequest: { ticket } });
  if (issued.action !== 'OK') return sendJsonContent(reply, STATUS_OF_ACTION[issued.action] ?? 500, issued.responseContent);

  await startDeviceInteraction(op, settings, {
    serviceId,
    ticket,
    authReqId: String(issued.authReqId),
    expiresIn: Number(issued.expiresIn),
    subject: identified.user.subject,
    answer,
  });
  return sendJsonContent(reply, 200, issued.responseContent);
}
