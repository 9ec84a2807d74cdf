import { codes } from '../../../wire/result-codes.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';

/** RFC 8707 §2: each `resource` is an absolute URI without a fragment (invalid_target). */
export function checkResources(value: unknown): string[] | undefined | Refusal {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  if (values.length > 32) return refuse('invalid_target', codes.bcBadResource, 'Too many resources.');
  for (const v of values) {
    if (typeof v !== 'string' || v.length > 2048) return refuse('invalid_target', codes.bcBadResource);
    try {
      const url = new URL(v);
      if (url.hash || v.includes('#')) return refuse('invalid_target', codes.bcBadResource);
    } catch {
      return refuse('invalid_target', codes.bcBadResource);
    }
  }
  return values as string[];
}
