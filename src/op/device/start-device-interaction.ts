import { webhookRecord } from '../notifications/outbox-records.js';
import type { BackchannelAuthenticationResponse } from '../../wire/ciba-types.js';
import type { FrontSettings } from '../front-settings.js';
import type { OpContext } from '../op-context.js';
import { completeDecided, decideRequest } from './decide-request.js';
import { pushToDevices } from '../authenticator/push-fanout.js';
import type { DeviceRequest } from './embedded-device.js';
import type { RequestPlace } from '../users/attempt-limits.js';
import { orderedId } from '../../lib/ordered-id.js';

export interface NewDeviceRequest {
  serviceId: number;
  ticket: string;
  authReqId: string;
  expiresIn: number;
  subject: string;
  answer: BackchannelAuthenticationResponse;
  /** The place under the user's pending cap the request was admitted on: the new row takes it over. */
  place?: RequestPlace;
}

/**
 * Hands a new request to the service's authentication device: the simulator shows it from the
 * front's table; the webhook channel also POSTs it to the app through the outbox (the
 * dispatcher signs it when it sends).
 */
export async function startDeviceInteraction(op: OpContext, settings: FrontSettings, request: NewDeviceRequest): Promise<void> {
  const now = op.clock.now();
  const expiresAt = now + request.expiresIn * 1000;
  const scopes = Array.isArray(request.answer.scopes) ? request.answer.scopes.map((s) => String(s.name)) : [];
  const details = {
    clientId: request.answer.clientId,
    clientName: request.answer.clientName,
    bindingMessage: request.answer.bindingMessage,
    scopes,
    acrs: request.answer.acrs,
    deliveryMode: request.answer.deliveryMode,
    // RFC 9396: the authenticator shows (and its passkey signs) what the client asked for.
    ...(request.answer.authorizationDetails !== undefined ? { authorizationDetails: request.answer.authorizationDetails } : {}),
  };
  const channel = channelOf(op, settings, request.serviceId);
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
  }, request.place ? { releaseReservation: request.place.id } : undefined);
  request.place?.takenOver();
  // Before the channel runs: an embedded device may decide at once, and the story must read in order.
  op.audit.queue({ serviceId: request.serviceId, type: 'device.notified', authReqId: request.authReqId, clientId: String(request.answer.clientId), subject: request.subject, data: { channel } });
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
  if (channel === 'authenticator') {
    await pushToDevices(op, { serviceId: request.serviceId, clientId: Number(request.answer.clientId), subject: request.subject, handle: authReqIdDigest, expiresAt });
    return;
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
        id: orderedId(now, op.random),
        serviceId: request.serviceId,
        clientId: Number(request.answer.clientId),
        subject: request.subject,
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

function channelOf(op: OpContext, settings: FrontSettings, serviceId: number): 'simulator' | 'webhook' | 'embedded' | 'authenticator' {
  if (settings.deviceChannel === 'authenticator') return 'authenticator';
  if (settings.deviceChannel === 'webhook' && settings.webhookUrl) return 'webhook';
  if (settings.deviceChannel === 'embedded') {
    if (op.embeddedDevice) return 'embedded';
    // A node started without the device (a misconfigured cluster) leaves the request to the simulator's list.
    op.log.warn({ serviceId }, 'the service uses the embedded device channel, but this node has no device: the request waits in the simulator');
  }
  return 'simulator';
}

/**
 * How long the backchannel response waits for the embedded device's `requestReceived` unless it
 * says otherwise: enough to decide at once (node-oidc-provider's hook is awaited too), never long
 * enough to hold the client for a user's answer. A device still busy after that carries on.
 */
const DEVICE_WAIT_MS = 5_000;

/** Hands the request to the embedding program's device; a device that throws fails the request at once. */
async function runEmbeddedDevice(op: OpContext, request: DeviceRequest, authReqIdDigest: string): Promise<void> {
  const decide = (decision: 'allow' | 'deny') => decideRequest(op, request.serviceId, { digest: authReqIdDigest }, decision);
  const running = Promise.resolve()
    .then(() => op.embeddedDevice!.requestReceived(request, decide))
    .catch((error: unknown) => failRequest(op, request, authReqIdDigest, error));
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, op.embeddedDevice!.waitMs ?? DEVICE_WAIT_MS);
    timer.unref();
  });
  await Promise.race([running, waited]);
  clearTimeout(timer);
}

async function failRequest(op: OpContext, request: DeviceRequest, authReqIdDigest: string, error: unknown): Promise<void> {
  op.log.warn({ err: error, serviceId: request.serviceId }, 'the embedded authentication device failed; the request fails');
  try {
    const failed = await op.store.decideFrontRequest(request.serviceId, authReqIdDigest, 'failed', op.clock.now());
    if (failed) await completeDecided(op, failed, 'TRANSACTION_FAILED');
  } catch (completion) {
    op.log.warn({ err: completion, serviceId: request.serviceId }, 'could not fail the request now; the expiry sweep will');
  }
}
