import { codes } from '../../../wire/result-codes.js';
import type { ClientParty, ServiceParty } from '../../protocol/parties.js';
import { refuse, type Refusal } from '../../protocol/oauth-error.js';
import { FAPI_RULES, fapiAlgAllowed, fapiApplies } from '../../fapi/fapi-profile.js';

/**
 * A client registered before its service turned to FAPI may hold settings the profile forbids;
 * registration refuses them now, and this refuses the request before the user is asked, rather
 * than after approval when the ID token could not be signed as the profile requires.
 */
export function checkFapiClient(service: ServiceParty, client: ClientParty): Refusal | undefined {
  if (!fapiApplies(service.data, client.data)) return undefined;
  const alg = client.data.idTokenSignAlg;
  if (alg !== undefined && alg !== null && alg !== '' && !fapiAlgAllowed(alg)) {
    return refuse('unauthorized_client', codes.bcGrantNotAllowed, `The client's ID token algorithm is not allowed: ${FAPI_RULES.algorithms}.`);
  }
  return undefined;
}
