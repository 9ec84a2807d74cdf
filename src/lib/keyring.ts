import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, timingSafeEqual } from 'node:crypto';
import { randomSlice } from './random.js';

/**
 * Everything the server derives from its one master key: a keyed digest for bearer values
 * (tokens, auth_req_ids, tickets — all high-entropy, so a keyed SHA-256 is enough and stays
 * fast on hot paths) and authenticated encryption for secrets that must be read back
 * (client secrets, which key client_secret_jwt; private signing keys).
 */
export interface Keyring {
  digest(value: string): string;
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** A value stored beside the data so that a node started with another master key refuses to run. */
  readonly checkValue: string;
}

const SEAL_VERSION = 'v1';

export function createKeyring(masterKey: Buffer): Keyring {
  if (masterKey.length < 32) throw new Error('the master key must be at least 32 bytes');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32));
  // Key objects, not buffers: node imports a buffer key afresh on every createHmac/createCipheriv,
  // which cost a digest (several per request) about 40 % more.
  const macKey = createSecretKey(derive('openciba digest v1'));
  const encKey = createSecretKey(derive('openciba seal v1'));
  const checkValue = createHmac('sha256', derive('openciba check v1')).update('openciba').digest('base64url');

  return {
    checkValue,
    digest(value) {
      return createHmac('sha256', macKey).update(value, 'utf8').digest('base64url');
    },
    seal(plaintext) {
      const iv = randomSlice(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [SEAL_VERSION, iv.toString('base64url'), body.toString('base64url'), tag.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== SEAL_VERSION || iv === undefined || body === undefined || tag === undefined) {
        throw new Error('sealed value has an unknown format');
      }
      const decipher = createDecipheriv('aes-256-gcm', encKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
