import fastJsonPatch from 'fast-json-patch';
import { apiErrors, type ApiError } from '../api-error.js';
import type { EngineContext } from '../context.js';
import { openSigningJwks } from '../keys/service-key-set.js';
import { buildConfiguration } from './build-configuration.js';

const PATCH_MAX_LENGTH = 65536;

/** OpenID Provider Metadata of a service, with Authlete's optional RFC 6902 `patch` applied. */
export async function serviceConfiguration(ctx: EngineContext, serviceId: number, patch: string | undefined): Promise<Record<string, unknown> | ApiError> {
  if (patch !== undefined && (typeof patch !== 'string' || patch.length > PATCH_MAX_LENGTH)) {
    return apiErrors.badRequest(`The querystring is invalid: 'patch' must be a string of at most ${PATCH_MAX_LENGTH} characters.`);
  }
  const record = await ctx.store.getService(serviceId);
  if (!record) return apiErrors.serviceNotFound(String(serviceId));
  let metadata: unknown = buildConfiguration(record.data, openSigningJwks(ctx, record));
  if (patch) {
    try {
      const operations = JSON.parse(patch) as fastJsonPatch.Operation[];
      const invalid = fastJsonPatch.validate(operations, metadata);
      if (invalid) throw invalid;
      metadata = fastJsonPatch.applyPatch(metadata, operations, false, false).newDocument;
    } catch {
      return apiErrors.badRequest("'patch' is not a JSON Patch (RFC 6902) that applies to the configuration.");
    }
  }
  return metadata as Record<string, unknown>;
}
