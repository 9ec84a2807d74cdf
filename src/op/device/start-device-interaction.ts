import { webhookRecord } from '../../engine/notifications/outbox-records.js';
import type { Answer } from '../front-engine.js';
import type { FrontSettings } from '../front-settings.js';
import type { OpContext } from '../op-context.js';

export interface NewDeviceRequest {
  serviceId: number;
  ticket: string;
  authReqId: string;
  expiresIn: number;
  subject: string;
  answer: Answer;
}

/**
 * Hands a new request to the service's authentication device: the simulator shows it from the
 * front's table; the webhook channel also POSTs it to the app through the outbox (the
 * dispatcher signs it when it sends).
 */
export async function startDeviceInteraction(op: OpContext, settings: FrontSettings, request: NewDeviceRequest): Promise<void> {
  const now = op.clock.now();
  const expiresAt = now + request.expiresIn * 1000;
  const scopes = Array.isArray(request.answer.scopes) ? (request.answer.scopes as { name?: string }[]).map((s) => String(s.name)) : [];
  const details = {
    clientId: request.answer.clientId,
    clientName: request.answer.clientName,
    bindingMessage: request.answer.bindingMessage,
    scopes,
    acrs: request.answer.acrs,
    deliveryMode: request.answer.deliveryMode,
  };
  const channel = settings.deviceChannel === 'webhook' && settings.webhookUrl ? 'webhook' : 'simulator';
  await op.store.createFrontRequest({
    authReqIdDigest: op.keyring.digest(request.authReqId),
    serviceId: request.serviceId,
    subject: request.subject,
    clientId: Number(request.answer.clientId),
    ticketSealed: op.keyring.seal(request.ticket),
    authReqIdSealed: op.keyring.seal(request.authReqId),
    details,
    status: 'pending',
    channel,
    createdAt: now,
    expiresAt,
  });
  if (channel !== 'webhook' || !settings.webhookUrl) return;

  const body = JSON.stringify({
    type: 'backchannel_authentication_request',
    serviceId: request.serviceId,
    ticket: request.ticket,
    subject: request.subject,
    client: { id: request.answer.clientId, name: request.answer.clientName },
    bindingMessage: request.answer.bindingMessage,
    scopes,
    acrs: request.answer.acrs,
    expiresAt: Math.floor(expiresAt / 1000),
    completeEndpoint: `${op.publicUrl}/api/${request.serviceId}/backchannel/authentication/complete`,
  });
  await op.store.enqueueOutbox(
    webhookRecord(
      {
        id: op.random.token(16),
        serviceId: request.serviceId,
        endpoint: settings.webhookUrl,
        body,
        now,
        expiresAt,
        authReqId: request.authReqId,
        summary: { event: 'backchannel_authentication_request', subject: request.subject },
      },
      op.keyring,
    ),
  );
}
