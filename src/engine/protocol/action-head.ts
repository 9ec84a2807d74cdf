import { resultMessage, type ResultCode } from '../../wire/result-codes.js';

/** The common head of every action-style answer. */
export function actionHead<A extends string>(code: ResultCode, action: A, detail?: string) {
  return { resultCode: code.code, resultMessage: resultMessage(code, detail), action };
}
