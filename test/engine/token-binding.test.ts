import { describe, expect, it } from 'vitest';
import { refreshBindingFor, refreshBindingHeld } from '../../src/engine/tokens/token-binding.js';
import { normalizedHtu } from '../../src/engine/dpop/htu.js';
import type { ClientParty } from '../../src/engine/protocol/parties.js';

const party = (clientType: 'PUBLIC' | 'CONFIDENTIAL') => ({ auth: { clientType } }) as unknown as ClientParty;

describe('refresh-token binding (RFC 8705 §4, RFC 9449 §5)', () => {
  it('a public client’s refresh token is bound to its key or certificate; a confidential client’s is not', () => {
    expect(refreshBindingFor(party('PUBLIC'), { jkt: 'k1' })).toEqual({ jkt: 'k1' });
    expect(refreshBindingFor(party('PUBLIC'), {})).toBeUndefined();
    expect(refreshBindingFor(party('CONFIDENTIAL'), { jkt: 'k1', 'x5t#S256': 'c1' })).toBeUndefined();
  });

  it('a bound refresh token needs the same key and certificate', () => {
    expect(refreshBindingHeld(undefined, {})).toBe(true);
    expect(refreshBindingHeld({ jkt: 'k1' }, { jkt: 'k1' })).toBe(true);
    expect(refreshBindingHeld({ jkt: 'k1' }, { jkt: 'k2' })).toBe(false);
    expect(refreshBindingHeld({ jkt: 'k1' }, {})).toBe(false);
    expect(refreshBindingHeld({ 'x5t#S256': 'c1' }, { 'x5t#S256': 'c2', jkt: 'k1' })).toBe(false);
    expect(refreshBindingHeld({ 'x5t#S256': 'c1', jkt: 'k1' }, { 'x5t#S256': 'c1', jkt: 'k1' })).toBe(true);
  });
});

describe('DPoP htu normalization (RFC 9449 §4.3 step 9, RFC 3986 §6.2.2–6.2.3)', () => {
  it('drops query and fragment, folds case, default ports and unreserved percent-encodings', () => {
    expect(normalizedHtu('HTTPS://Server.Example.COM:443/a/%7Euser?x=1#f')).toBe('https://server.example.com/a/~user');
    expect(normalizedHtu('https://server.example.com/a/%2f')).toBe('https://server.example.com/a/%2F');
    expect(normalizedHtu('https://server.example.com')).toBe('https://server.example.com/');
    expect(normalizedHtu('https://server.example.com:8443/t')).not.toBe(normalizedHtu('https://server.example.com/t'));
  });
  it('refuses what is not an absolute http(s) URI', () => {
    for (const value of ['/token', 'ftp://x/y', 'javascript:alert(1)', 42, undefined, `https://x/${'a'.repeat(3000)}`]) expect(normalizedHtu(value)).toBeUndefined();
  });
});
