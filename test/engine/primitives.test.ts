import { createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, createKeyring } from '../../src/lib/keyring.js';
import { cryptoRandom, randomSlice } from '../../src/lib/random.js';
import { checkOutboundUrl, isNonPublicAddress } from '../../src/lib/urls.js';
import { withoutNulls } from '../../src/lib/json.js';

describe('keyring', () => {
  const keyring = createKeyring(Buffer.alloc(32, 7));

  it('seals and opens, with a fresh nonce each time', () => {
    const a = keyring.seal('secret');
    const b = keyring.seal('secret');
    expect(a).not.toBe(b);
    expect(a).not.toContain('secret');
    expect(keyring.open(a)).toBe('secret');
  });

  it('refuses tampered or foreign sealed values', () => {
    const sealed = keyring.seal('secret');
    const parts = sealed.split('.');
    const flipped = [parts[0], parts[1], parts[2]!.slice(0, -2) + (parts[2]!.endsWith('A') ? 'BB' : 'AA'), parts[3]].join('.');
    expect(() => keyring.open(flipped)).toThrow();
    expect(() => createKeyring(Buffer.alloc(32, 8)).open(sealed)).toThrow();
    expect(() => keyring.open('v0.x.y.z')).toThrow();
  });

  it('digests are keyed and stable', () => {
    expect(keyring.digest('t')).toBe(keyring.digest('t'));
    expect(keyring.digest('t')).not.toBe(createKeyring(Buffer.alloc(32, 8)).digest('t'));
    expect(keyring.digest('t')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  // Stored digests and sealed values must keep matching whatever form the derived keys take in memory.
  it('digests are HMAC-SHA256 under the HKDF-derived key, and seals open with the derived AES key', () => {
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', Buffer.alloc(32, 7), Buffer.alloc(0), info, 32));
    expect(keyring.digest('token value')).toBe(createHmac('sha256', derive('openciba digest v1')).update('token value', 'utf8').digest('base64url'));
    const [, iv, body, tag] = keyring.seal('secret').split('.');
    const decipher = createDecipheriv('aes-256-gcm', derive('openciba seal v1'), Buffer.from(iv!, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag!, 'base64url'));
    expect(Buffer.concat([decipher.update(Buffer.from(body!, 'base64url')), decipher.final()]).toString('utf8')).toBe('secret');
  });

  it('rejects short master keys', () => {
    expect(() => createKeyring(Buffer.alloc(16))).toThrow();
  });

  it('compares strings exactly', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('random ids', () => {
  it('have the asked number of digits and stay exact in JSON', () => {
    for (const digits of [10, 12, 14, 15]) {
      const id = cryptoRandom.numericId(digits);
      expect(String(id)).toHaveLength(digits);
      expect(Number.isSafeInteger(id)).toBe(true);
    }
    expect(cryptoRandom.token(32)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('draws from the pool without ever handing out the same bytes twice, across refills', () => {
    const held = randomSlice(32);
    const copy = Buffer.from(held);
    const seen = new Set<string>();
    // 3,000 × 32 bytes is more than 20 refills of the 4 KiB pool.
    for (let i = 0; i < 3000; i++) seen.add(cryptoRandom.token(32));
    expect(seen.size).toBe(3000);
    expect(held.equals(copy)).toBe(true); // a refill never overwrites a slice already handed out
    expect(randomSlice(2048)).toHaveLength(2048); // large requests bypass the pool
    // Not all-zero or constant: the pool is really filled.
    const bytes = randomSlice(1024);
    expect(new Set(bytes).size).toBeGreaterThan(100);
  });
});

describe('outbound URL rules', () => {
  it('classifies non-public addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '[::1]', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '224.0.0.1']) {
      expect(isNonPublicAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '2606:4700::1111', 'example.com', '::ffff:8.8.8.8']) expect(isNonPublicAddress(a), a).toBe(false);
    // IPv6 spellings of private IPv4 addresses, as URL parsing normalises them.
    for (const host of ['[::ffff:127.0.0.1]', '[::ffff:169.254.169.254]', '[::ffff:10.0.0.1]', '[64:ff9b::a9fe:a9fe]', '[::127.0.0.1]', '[fec0::1]', '[2002:7f00:1::]']) {
      expect(isNonPublicAddress(new URL(`https://${host}/`).hostname), host).toBe(true);
      expect(checkOutboundUrl(`https://${host}/cb`, 'production'), host).toMatch(/public/);
    }
  });

  it('allows plain http to loopback only in development', () => {
    expect(checkOutboundUrl('http://127.0.0.1:9000/cb', 'development')).toBeUndefined();
    expect(checkOutboundUrl('http://localhost/cb', 'development')).toBeUndefined();
    expect(checkOutboundUrl('http://example.com/cb', 'development')).toMatch(/https/);
    expect(checkOutboundUrl('http://127.0.0.1:9000/cb', 'production')).toMatch(/https/);
    expect(checkOutboundUrl('https://127.0.0.1/cb', 'production')).toMatch(/public/);
    expect(checkOutboundUrl('https://10.0.0.8/cb', 'production')).toMatch(/public/);
    expect(checkOutboundUrl('https://[::1]/cb', 'production')).toMatch(/public/);
    expect(checkOutboundUrl('https://client.example.com/cb', 'production')).toBeUndefined();
    expect(checkOutboundUrl('https://user:pw@client.example.com/cb', 'production')).toMatch(/credentials/);
    expect(checkOutboundUrl('ftp://client.example.com/cb', 'production')).toMatch(/absolute/);
    expect(checkOutboundUrl('not a url', 'development')).toMatch(/absolute/);
  });
});

describe('withoutNulls', () => {
  it('drops null and undefined members at every depth', () => {
    expect(withoutNulls({ a: null, b: 1, c: { d: undefined, e: [1, null, { f: null }] } })).toEqual({ b: 1, c: { e: [1, {}] } });
  });

  it('copies own enumerable members only, keeps falsy values, and never shares nested objects', () => {
    const withInherited = Object.create({ inherited: 1 }, { own: { value: 2, enumerable: true }, hidden: { value: 3, enumerable: false } });
    expect(withoutNulls(withInherited)).toEqual({ own: 2 });
    expect(Object.keys(withoutNulls(withInherited))).toEqual(['own']);
    const nested = { list: [0, '', false], inner: { n: 0 } };
    const copy = withoutNulls(nested);
    expect(copy).toEqual({ list: [0, '', false], inner: { n: 0 } });
    expect(copy.inner).not.toBe(nested.inner);
    expect(copy.list).not.toBe(nested.list);
    expect(withoutNulls([null, undefined, 'x'])).toEqual(['x']);
    expect(withoutNulls('text')).toBe('text');
  });
});
