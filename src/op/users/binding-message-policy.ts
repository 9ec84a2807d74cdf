/**
 * The default binding-message policy: 1 to `max` characters (code points), each a letter,
 * mark, number, punctuation, symbol or space — nothing a device could not show plainly.
 */
export function bindingMessageAcceptable(message: string | undefined, max: number): boolean {
  if (message === undefined) return true;
  const characters = [...message];
  if (characters.length < 1 || characters.length > max) return false;
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]+$/u.test(message);
}
