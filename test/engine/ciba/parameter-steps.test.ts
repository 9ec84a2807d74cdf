import { describe, expect, it } from 'vitest';
import { checkAuthorizationDetails } from '../../../src/engine/ciba/steps/check-authorization-details.js';
import { checkBindingMessage } from '../../../src/engine/ciba/steps/check-binding-message.js';
import { checkHints } from '../../../src/engine/ciba/steps/check-hints.js';
import { checkNotificationToken } from '../../../src/engine/ciba/steps/check-notification-token.js';
import { checkRequestedExpiry } from '../../../src/engine/ciba/steps/check-requested-expiry.js';
import { checkResources } from '../../../src/engine/ciba/steps/check-resources.js';
import { expectRefusal } from './expect-refusal.js';

// The CIBA steps that look at one request parameter alone: value in, value or refusal out.

describe('checkBindingMessage', () => {
  it('passes a message through and treats an empty one as absent', () => {
    expect(checkBindingMessage('Code 1234')).toBe('Code 1234');
    expect(checkBindingMessage(undefined)).toBeUndefined();
    expect(checkBindingMessage('')).toBeUndefined();
  });

  it('takes 4096 characters and refuses 4097 or a non-string', () => {
    expect(checkBindingMessage('x'.repeat(4096))).toBe('x'.repeat(4096));
    for (const bad of ['x'.repeat(4097), 42, ['a']]) {
      expectRefusal(checkBindingMessage(bad), 'invalid_binding_message', 'A169320', "The 'binding_message' request parameter is malformed.");
    }
  });
});

describe('checkHints', () => {
  const hints = (entries: Record<string, unknown>) => checkHints(new Map(Object.entries(entries)));

  it('names the one hint present', () => {
    expect(hints({ login_hint: 'alice' })).toEqual({ hintType: 'LOGIN_HINT', hint: 'alice' });
    expect(hints({ id_token_hint: 'eyJ.x.y', login_hint: '' })).toEqual({ hintType: 'ID_TOKEN_HINT', hint: 'eyJ.x.y' });
    expect(hints({ login_hint_token: 'lht' })).toEqual({ hintType: 'LOGIN_HINT_TOKEN', hint: 'lht' });
  });

  it('refuses no hint (empty ones do not count) and more than one', () => {
    expectRefusal(hints({}), 'invalid_request', 'A169308', "The request contains none of 'login_hint', 'id_token_hint' and 'login_hint_token'.");
    expectRefusal(hints({ login_hint: '' }), 'invalid_request', 'A169308', "The request contains none of 'login_hint', 'id_token_hint' and 'login_hint_token'.");
    expectRefusal(
      hints({ login_hint: 'alice', login_hint_token: 'lht' }),
      'invalid_request',
      'A169309',
      "The request contains more than one of 'login_hint', 'id_token_hint' and 'login_hint_token'.",
    );
  });

  it('takes a hint of 8192 characters and refuses 8193 or a non-string', () => {
    expect(hints({ login_hint: 'a'.repeat(8192) })).toEqual({ hintType: 'LOGIN_HINT', hint: 'a'.repeat(8192) });
    expectRefusal(hints({ login_hint: 'a'.repeat(8193) }), 'invalid_request', 'A169305', "The 'login_hint' must be a string of at most 8192 characters.");
    expectRefusal(hints({ id_token_hint: ['a', 'b'] }), 'invalid_request', 'A169305', "The 'id_token_hint' must be a string of at most 8192 characters.");
  });
});

describe('checkNotificationToken', () => {
  it('is optional in poll mode and required in ping and push modes', () => {
    expect(checkNotificationToken(undefined, 'POLL')).toBeUndefined();
    expect(checkNotificationToken('', 'POLL')).toBeUndefined();
    for (const mode of ['PING', 'PUSH'] as const) {
      expectRefusal(checkNotificationToken(undefined, mode), 'invalid_request', 'A169311', "The 'client_notification_token' request parameter is required in ping and push modes.");
      expectRefusal(checkNotificationToken('', mode), 'invalid_request', 'A169311', "The 'client_notification_token' request parameter is required in ping and push modes.");
    }
  });

  it('takes a b64token of up to 1024 characters, in any mode', () => {
    expect(checkNotificationToken('abc-._~+/XYZ09==', 'PING')).toBe('abc-._~+/XYZ09==');
    expect(checkNotificationToken('t'.repeat(1024), 'PUSH')).toBe('t'.repeat(1024));
    expect(checkNotificationToken('token', 'POLL')).toBe('token');
  });

  it('refuses 1025 characters, characters outside b64token, padding in the middle and a non-string', () => {
    for (const bad of ['t'.repeat(1025), 'has space', 'semi;colon', '=abc', 'a=b', 42]) {
      expectRefusal(checkNotificationToken(bad, 'PING'), 'invalid_request', 'A169312', "The 'client_notification_token' is malformed or longer than 1024 characters.");
    }
  });
});

describe('checkRequestedExpiry', () => {
  it('reads a positive integer from a string or a JSON number; empty is absent', () => {
    expect(checkRequestedExpiry(undefined)).toBeUndefined();
    expect(checkRequestedExpiry('')).toBeUndefined();
    expect(checkRequestedExpiry('1')).toBe(1);
    expect(checkRequestedExpiry('0120')).toBe(120);
    expect(checkRequestedExpiry(300)).toBe(300);
    expect(checkRequestedExpiry(2 ** 31 - 1)).toBe(2 ** 31 - 1);
    expect(checkRequestedExpiry('2147483647')).toBe(2147483647);
  });

  it('refuses zero, negatives, fractions, 2^31, more than ten digits and other text', () => {
    for (const bad of ['0', 0, '-5', -5, '1.5', 1.5, 2 ** 31, '2147483648', '12345678901', '1e3', ' 60', '60s', 'abc', true, ['60']]) {
      expectRefusal(checkRequestedExpiry(bad), 'invalid_request', 'A169313', "The 'requested_expiry' request parameter must be a positive integer.");
    }
  });
});

describe('checkResources', () => {
  const badResource = "A 'resource' request parameter is not an absolute URI without a fragment.";

  it('takes one absolute URI or a list of them', () => {
    expect(checkResources(undefined)).toBeUndefined();
    expect(checkResources('https://rs.example.com/api')).toEqual(['https://rs.example.com/api']);
    expect(checkResources(['https://a.example.com', 'urn:example:rs'])).toEqual(['https://a.example.com', 'urn:example:rs']);
  });

  it('takes 32 resources and refuses 33', () => {
    const many = Array.from({ length: 33 }, (_, i) => `https://rs${i}.example.com`);
    expect(checkResources(many.slice(0, 32))).toEqual(many.slice(0, 32));
    expectRefusal(checkResources(many), 'invalid_target', 'A169315', 'Too many resources.');
  });

  it('takes 2048 characters and refuses 2049', () => {
    const uri = (length: number) => `https://rs.example.com/${'p'.repeat(length - 'https://rs.example.com/'.length)}`;
    expect(checkResources(uri(2048))).toEqual([uri(2048)]);
    expectRefusal(checkResources(uri(2049)), 'invalid_target', 'A169315', badResource);
  });

  it('refuses relative URIs, fragments (even empty ones) and non-strings', () => {
    for (const bad of ['/relative', 'rs.example.com', 'https://rs.example.com/#frag', 'https://rs.example.com/#', ['https://ok.example.com', 7]]) {
      expectRefusal(checkResources(bad), 'invalid_target', 'A169315', badResource);
    }
  });
});

describe('checkAuthorizationDetails', () => {
  const refused = (value: unknown, detail: string) =>
    expectRefusal(checkAuthorizationDetails(value), 'invalid_authorization_details', 'A169316', detail);

  it('is absent when not given or empty', () => {
    expect(checkAuthorizationDetails(undefined)).toBeUndefined();
    expect(checkAuthorizationDetails('')).toBeUndefined();
  });

  it("maps the known members to Authlete's names and keeps the others as JSON text", () => {
    const text = JSON.stringify([
      { type: 'payment', locations: ['https://rs.example.com'], actions: ['pay'], datatypes: ['x'], identifier: 'id-1', privileges: ['p'], amount: { value: '10' }, Extra: 1 },
      { type: 'read', actions: ['read', 3] },
    ]);
    expect(checkAuthorizationDetails(text)).toEqual({
      elements: [
        {
          type: 'payment',
          locations: ['https://rs.example.com'],
          actions: ['pay'],
          dataTypes: ['x'],
          identifier: 'id-1',
          privileges: ['p'],
          otherFields: '{"amount":{"value":"10"},"Extra":1}',
        },
        { type: 'read' },
      ],
    });
  });

  it('takes the array itself, as a signed request carries it', () => {
    expect(checkAuthorizationDetails([{ type: 't' }])).toEqual({ elements: [{ type: 't' }] });
  });

  it('refuses text that is not JSON, and JSON nested deeper than 64 levels before parsing it', () => {
    refused('[{"type":', "The 'authorization_details' is not JSON.");
    // The outer array and its element are two levels; `x` brings the rest.
    const arrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const nested = (depth: number) => `[{"type":"t","x":${arrays(depth - 2)}}]`;
    expect(checkAuthorizationDetails(nested(64))).toEqual({ elements: [{ type: 't', otherFields: `{"x":${arrays(62)}}` }] });
    refused(nested(65), "The 'authorization_details' nests deeper than 64 levels.");
  });

  it('takes 64 elements and refuses 65, an empty array and a non-array', () => {
    const elements = (n: number) => JSON.stringify(Array.from({ length: n }, () => ({ type: 't' })));
    expect((checkAuthorizationDetails(elements(64)) as { elements: unknown[] }).elements).toHaveLength(64);
    for (const bad of [elements(65), '[]', '{"type":"t"}', '"t"']) refused(bad, "The 'authorization_details' must be a non-empty JSON array.");
  });

  it('refuses an element that is not an object, or has no string type', () => {
    for (const bad of ['[1]', '[null]', '[["type"]]']) refused(bad, 'Each authorization details element must be an object.');
    for (const bad of ['[{}]', '[{"type":""}]', '[{"type":1}]']) refused(bad, "Each authorization details element needs a string 'type'.");
  });
});
