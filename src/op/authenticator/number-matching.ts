/** The number the consumption device shows in the binding message (its first run of digits), if any. */
export function numberOf(bindingMessage: unknown): string | undefined {
  return typeof bindingMessage === 'string' ? /[0-9]{1,6}/.exec(bindingMessage)?.[0] : undefined;
}

/**
 * Three numbers to pick from, the right one among two others of the same length, in random
 * order (CISA's number matching: the user must have seen the consumption device's screen).
 */
export function numberChoices(expected: string, randomInt: (below: number) => number): string[] {
  const width = expected.length;
  const span = 10 ** width;
  const choices = new Set([expected]);
  while (choices.size < Math.min(3, span)) choices.add(String(randomInt(span)).padStart(width, '0'));
  const list = [...choices];
  for (let i = list.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/** The binding message as the app shows it under number matching: the number hidden, to be picked. */
export function withoutNumber(bindingMessage: string): string {
  return bindingMessage.replace(/[0-9]{1,6}/, '••');
}
