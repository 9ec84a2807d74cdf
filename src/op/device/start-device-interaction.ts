import { webhookRecord } from '../../engine/notifications/outbox-records.js';
import type { Answer } from '../front-engine.js';
import type { FrontSettings } from '../front-settings.js';
import type { OpContext } from '../op-context.js';
import { completeFrontRequest, decideRequest } from './decide-request.js';
import type { DeviceRequest } from './embedded-device.js';

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
  const channel = channelOf(op, settings);
  const authReqIdDigest = op.keyring.digest(request.authReqId);
  await op.store.createFrontRequest({
    authReqIdDigest,
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
  if (channel === 'embedded') {
    const device: DeviceRequest = {
      serviceId: request.serviceId,
      subject: request.subject,
      client: { id: Number(request.answer.clientId), ...(typeof request.answer.clientName === 'string' ? { name: request.answer.clientName } : {}) },
      ...(typeof request.answer.bindingMessage === 'string' ? { bindingMessage: request.answer.bindingMessage } : {}),
      scopes,
      ...(Array.isArray(request.answer.acrs) ? { acrs: request.answer.acrs.map(String) } : {}),
      deliveryMode: String(request.answer.deliveryMode),
      expiresAt: Math.floor(expiresAt / 1000),
    };
    return runEmbeddedDevice(op, device, authReqIdDigest);
  }
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

function channelOf(op: OpContext, settings: FrontSettings): 'simulator' | 'webhook' | 'embedded' {
  if (settings.deviceChannel === 'webhook' && settings.webhookUrl) return 'webhook';
  // A node started without the device (a misconfigured cluster) leaves the request to the simulator's list.
  if (settings.deviceChannel === 'embedded' && op.embeddedDevice) return 'embedded';
  return 'simulator';
}

/** Hands the request to the embedding program's device; a device that throws fails the request at once. */
async function runEmbeddedDevice(op: OpContext, request: DeviceRequest, authReqIdDigest: string): Promise<void> {
  const decide = (decision: 'allow' | 'deny') => decideRequest(op, request.serviceId, { digest: authReqIdDigest }, decision);
  try {
    await op.embeddedDevice!.requestReceived(request, decide);
  } catch (error) {
    op.log.warn({ err: error, serviceId: request.serviceId }, 'the embedded authentication device failed; the request fails');
    const failed = await op.store.decideFrontRequest(request.serviceId, authReqIdDigest, 'failed', op.clock.now());
    if (failed) await completeFrontRequest(op, failed, 'TRANSACTION_FAILED');
  }
}
