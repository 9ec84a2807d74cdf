import { FAPI_AUTH_METHODS, FAPI_DELIVERY_MODES, FAPI_MODES_IMPLEMENTED, FAPI_RULES, fapiAlgAllowed, fapiApplies, listOf, serviceIsFapi } from './fapi-profile.js';

/** `fapiModes` may only ask for what OpenCIBA implements; anything else would be stored and ignored. */
function fapiModesProblem(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((mode) => FAPI_MODES_IMPLEMENTED.includes(mode as string))) {
    return `'fapiModes' may only contain ${FAPI_MODES_IMPLEMENTED.join(', ')}: the other FAPI modes are not implemented by OpenCIBA`;
  }
  return undefined;
}

/** A service's profile members hold values OpenCIBA enforces (FAPI) or are refused. */
export function fapiServiceProblem(service: Record<string, unknown>): string | undefined {
  const profiles = service.supportedServiceProfiles;
  if (profiles !== undefined && profiles !== null && !(Array.isArray(profiles) && profiles.every((p) => p === 'FAPI'))) {
    return "'supportedServiceProfiles' may only contain FAPI: the OPEN_BANKING profile is not implemented by OpenCIBA";
  }
  const modes = fapiModesProblem(service.fapiModes);
  if (modes) return modes;
  // Authlete reads fapiModes only under the FAPI profile; without it they would be ignored.
  if (listOf(service.fapiModes).length > 0 && !serviceIsFapi(service)) return "'fapiModes' needs 'supportedServiceProfiles' to contain FAPI";
  // backchannelBindingMessageRequiredInFapi stays meaningful without the profile: it applies to
  // the clients that opt in through their own fapiModes.
  const bindingRequired = service.backchannelBindingMessageRequiredInFapi;
  if (bindingRequired !== undefined && bindingRequired !== null && typeof bindingRequired !== 'boolean') return "'backchannelBindingMessageRequiredInFapi' must be a boolean";
  return undefined;
}

/**
 * A client held to FAPI-CIBA must be registered so that it can follow it: refusing at
 * registration names the member, where a refusal at use would come after the user was asked.
 */
export function fapiClientProblem(client: Record<string, unknown>, service: Record<string, unknown>): string | undefined {
  const modes = fapiModesProblem(client.fapiModes);
  if (modes) return modes;
  if (!fapiApplies(service, client)) return undefined;
  if (client.clientType === 'PUBLIC') return `'clientType' must be CONFIDENTIAL: ${FAPI_RULES.confidential}`;
  // Authlete's default method is CLIENT_SECRET_BASIC, which the profile does not allow.
  const method = client.tokenAuthMethod ?? 'CLIENT_SECRET_BASIC';
  if (!FAPI_AUTH_METHODS.includes(method as string)) return `'tokenAuthMethod' ${String(method)} is not allowed: ${FAPI_RULES.authMethod}`;
  for (const member of ['tokenAuthSignAlg', 'bcRequestSignAlg', 'idTokenSignAlg'] as const) {
    const alg = client[member];
    if (alg !== undefined && alg !== null && alg !== '' && !fapiAlgAllowed(alg)) return `'${member}' ${String(alg)} is not allowed: ${FAPI_RULES.algorithms}`;
  }
  if (client.bcDeliveryMode !== undefined && client.bcDeliveryMode !== null && !FAPI_DELIVERY_MODES.includes(client.bcDeliveryMode as string)) {
    return `'bcDeliveryMode' ${String(client.bcDeliveryMode)} is not allowed: ${FAPI_RULES.pushMode}`;
  }
  return undefined;
}
