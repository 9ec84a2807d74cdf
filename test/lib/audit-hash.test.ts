import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditEventHash, GENESIS_HASH, type HashedAuditFields } from '../../src/lib/audit-hash.js';
import { canonicalJson } from '../../src/lib/canonical-json.js';

/** The definition the chain's hash follows: SHA-256 of the canonical JSON of the covered fields. */
const reference = (f: HashedAuditFields) => {
  const { id, serviceId, seq, at, type, authReqIdDigest, authReqIdSealed, ticketDigest, clientId, subject, data, prevHash } = f;
  return createHash('sha256').update(canonicalJson({ id, serviceId, seq, at, type, authReqIdDigest, authReqIdSealed, ticketDigest, clientId, subject, data, prevHash })).digest('hex');
};

const base: HashedAuditFields = {
  id: '001764662400000-000000-abcdef', serviceId: 7, seq: 1, at: 1764662400000, type: 'request.received',
  authReqIdDigest: null, authReqIdSealed: null, ticketDigest: null, clientId: null, subject: null, data: '{}', prevHash: GENESIS_HASH,
};

describe('audit event hash', () => {
  it('is the SHA-256 of the canonical JSON of the covered fields, for nulls, quotes, control and non-ASCII characters', () => {
    const variants: HashedAuditFields[] = [
      base,
      { ...base, authReqIdDigest: 'd1', authReqIdSealed: 's1', ticketDigest: 't1', clientId: 'c"1\\', subject: 'ü\u2028\u0000x', data: '{"a":"\\n"}' },
      { ...base, seq: 123456789, serviceId: 0, at: 0, type: 'admin.changed', subject: '😀', data: JSON.stringify({ z: 1, a: [1, { b: null }] }) },
    ];
    for (const v of variants) expect(auditEventHash(v)).toBe(reference(v));
    // Fields outside the covered set (the stored hash itself) do not count.
    expect(auditEventHash({ ...base, hash: 'x' } as HashedAuditFields)).toBe(reference(base));
  });

  it('changes when any covered field changes', () => {
    const hashes = new Set([
      auditEventHash(base),
      auditEventHash({ ...base, seq: 2 }),
      auditEventHash({ ...base, subject: 'alice' }),
      auditEventHash({ ...base, data: '{"a":1}' }),
      auditEventHash({ ...base, prevHash: 'f'.repeat(64) }),
    ]);
    expect(hashes.size).toBe(5);
  });

  it('covers the request key when present, and hashes a row without one as before it existed', () => {
    expect('requestKey' in base).toBe(false);
    expect(auditEventHash({ ...base, requestKey: null })).toBe(reference(base));
    const keyed = { ...base, requestKey: '001764662400000-000000-abcdefghijkl' };
    const { id, serviceId, seq, at, type, authReqIdDigest, authReqIdSealed, ticketDigest, clientId, subject, data, prevHash, requestKey } = keyed;
    const expected = createHash('sha256').update(canonicalJson({ id, serviceId, seq, at, type, authReqIdDigest, authReqIdSealed, ticketDigest, clientId, subject, data, prevHash, requestKey })).digest('hex');
    expect(auditEventHash(keyed)).toBe(expected);
    expect(auditEventHash({ ...keyed, requestKey: '001764662400000-000000-another-key' })).not.toBe(expected);
  });
});
