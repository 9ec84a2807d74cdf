import { createECDH, randomBytes, type ECDH } from 'node:crypto';
// @ts-expect-error http_ece ships no types
import ece from 'http_ece';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { bearer, request } from './http.js';
import type { TestServer } from './test-server.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page with a CDP virtual platform authenticator that verifies the user (a phone's passkey). */
export async function pageWithPasskey(browser: Browser, origin: string): Promise<{ context: BrowserContext; page: Page; cdp: CDPSession; authenticatorId: string }> {
  // A phone-sized window: the approval page is a phone's screen.
  const context = await browser.newContext({ viewport: { width: 390, height: 760 } });
  await context.grantPermissions(['notifications'], { origin });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { context, page, cdp, authenticatorId };
}

/**
 * The user agent's side of a Web Push subscription (RFC 8291 §3): headless Chromium cannot
 * subscribe (its push service is unreachable here), so the test makes the P-256 key pair and auth
 * secret itself and registers them through the app's own API, as the page would.
 */
export interface TestSubscription {
  ecdh: ECDH;
  json: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
}

export function testSubscription(endpoint: string): TestSubscription {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, json: { endpoint, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') } } };
}

/** Decrypts an aes128gcm Web Push body with the subscription's private key and auth secret. */
export function decryptPush(subscription: TestSubscription, body: Buffer): string {
  return (ece.decrypt(body, { version: 'aes128gcm', privateKey: subscription.ecdh, authSecret: subscription.json.keys.auth }) as Buffer).toString('utf8');
}

export async function subscribe(appUrl: string, deviceToken: string, body: unknown) {
  return request(`${appUrl}/api/push/subscribe`, { method: 'POST', headers: { ...bearer(deviceToken), 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** A device as the store holds it after enrolment, for tests that need a device token but no passkey ceremony. */
export async function storedDevice(server: TestServer, serviceId: string, subject: string): Promise<{ id: string; token: string }> {
  const token = randomBytes(32).toString('base64url');
  const id = randomBytes(16).toString('base64url');
  await server.runtime.store.addDevice({
    id,
    serviceId: Number(serviceId),
    subject,
    label: 'test',
    tokenDigest: server.runtime.engine.keyring.digest(token),
    credentialId: randomBytes(32).toString('base64url'),
    publicKey: randomBytes(77).toString('base64url'),
    signCount: 0,
    transports: [],
    backupEligible: false,
    backupState: false,
    aaguid: '00000000-0000-0000-0000-000000000000',
    createdAt: Date.now(),
    lastUsedAt: null,
    revokedAt: null,
  });
  return { id, token };
}
