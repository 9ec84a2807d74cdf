import { describe, expect, it } from 'vitest';
import { projectOnto } from '../../src/sdk/wire-projection.js';

describe('projectOnto', () => {
  it('keeps only the members the wire schema declares, recursively, as the HTTP serializer does', () => {
    const answer = {
      resultCode: 'A179001',
      resultMessage: '[A179001] ok',
      action: 'USER_IDENTIFICATION',
      ticket: 't',
      internalNote: 'never on the wire',
      scopes: [{ name: 'openid', secret: 'x' }],
      serviceAttributes: [{ key: 'k', value: 'v', extra: true }],
    };
    expect(projectOnto('backchannel_authentication_response', answer)).toEqual({
      resultCode: 'A179001',
      resultMessage: '[A179001] ok',
      action: 'USER_IDENTIFICATION',
      ticket: 't',
      scopes: [{ name: 'openid' }],
      serviceAttributes: [{ key: 'k', value: 'v' }],
    });
  });

  it('keeps undeclared members where the schema allows them', () => {
    // `client` has additionalProperties: true; JWK members are free-form.
    expect(projectOnto('client', { clientName: 'c', custom: 1 })).toEqual({ clientName: 'c', custom: 1 });
    expect(projectOnto('service_jwks_get_response', { keys: [{ kty: 'EC', crv: 'P-256' }], other: 1 })).toEqual({ keys: [{ kty: 'EC', crv: 'P-256' }] });
  });
});
