import { withoutNulls } from '../../lib/json.js';
import { resultMessage, type ResultCode } from '../../wire/result-codes.js';
import { settings } from '../services/service-settings.js';
import { oauthErrorContent } from './oauth-content.js';
import type { ServiceParty } from './parties.js';
import type { Refusal } from './refusal.js';

/** The common head of every action-style answer. */
export function actionHead<A extends string>(code: ResultCode, action: A, detail?: string) {
  return { resultCode: code.code, resultMessage: resultMessage(code, detail), action };
}

/** An answer whose `responseContent` is the OAuth error JSON for a refusal. */
export function refusalAnswer(service: ServiceParty | undefined, refusal: Refusal) {
  return withoutNulls({
    ...actionHead(refusal.code, refusal.action, refusal.detail),
    responseContent: oauthErrorContent(refusal.error, refusal.code, {
      omitDescription: service ? settings.errorDescriptionOmitted(service.data) : false,
      ...(refusal.detail !== undefined ? { detail: refusal.detail } : {}),
      ...(refusal.supplied ? { extra: refusal.supplied } : {}),
    }),
  });
}
