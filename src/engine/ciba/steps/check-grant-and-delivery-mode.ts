import { codes } from '../../../wire/result-codes.js';
import { settings } from '../../services/service-settings.js';
import type { DeliveryMode } from '../../../wire/enums.js';
import type { ClientParty, ServiceParty } from '../../protocol/parties.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';
import { FAPI_DELIVERY_MODES, FAPI_RULES, fapiApplies } from '../../fapi/fapi-profile.js';

/** CIBA §4/§7: the client may use the CIBA grant, in a delivery mode the service supports. */
export function checkGrantAndDeliveryMode(service: ServiceParty, client: ClientParty): DeliveryMode | Refusal {
  const grantTypes = Array.isArray(client.data.grantTypes) ? (client.data.grantTypes as unknown[]) : [];
  if (!grantTypes.includes('CIBA') || !settings.supportsGrant(service.data, 'CIBA')) {
    return refuse('unauthorized_client', codes.bcGrantNotAllowed);
  }
  const mode = client.data.bcDeliveryMode;
  if (mode !== 'POLL' && mode !== 'PING' && mode !== 'PUSH') return refuse('unauthorized_client', codes.bcDeliveryModeNotSet);
  if (!settings.deliveryModes(service.data).includes(mode)) return refuse('unauthorized_client', codes.bcDeliveryModeUnsupported);
  if (!FAPI_DELIVERY_MODES.includes(mode) && fapiApplies(service.data, client.data)) {
    return refuse('unauthorized_client', codes.bcDeliveryModeUnsupported, `The delivery mode ${mode} is not allowed: ${FAPI_RULES.pushMode}.`);
  }
  if (mode !== 'POLL' && !(typeof client.data.bcNotificationEndpoint === 'string' && client.data.bcNotificationEndpoint)) {
    return refuse('unauthorized_client', codes.bcNotificationEndpointMissing);
  }
  return mode;
}
