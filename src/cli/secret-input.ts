import { readFile } from 'node:fs/promises';
import { ConfigError } from '../server/config.js';

/** The first line of standard input (without its line ending); stops reading there. */
function readLineFromStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (line: string) => {
      process.stdin.off('data', onData).off('end', onEnd).off('error', reject);
      process.stdin.pause();
      resolve(line.replace(/\r$/, ''));
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end >= 0) done(text.slice(0, end));
    };
    const onEnd = () => done(text);
    process.stdin.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

/**
 * A secret (a user code, an API token) from standard input or a file, never from the command
 * line, where the process list shows it to every local user; undefined when neither is asked for.
 * `what` names the secret and `flag` the flag pair (`--user-code` → `--user-code-stdin`,
 * `--user-code-file`) in the messages.
 */
export async function readSecret(source: { stdin?: boolean | undefined; file?: string | undefined }, what: string, flag: string): Promise<string | undefined> {
  if (source.stdin && source.file !== undefined) throw new ConfigError(`use one of ${flag}-stdin and ${flag}-file`);
  if (source.stdin) {
    const secret = await readLineFromStdin();
    if (secret === '') throw new ConfigError(`the ${what} read from standard input is empty`);
    return secret;
  }
  if (source.file === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(source.file, 'utf8');
  } catch (error) {
    throw new ConfigError(`the ${what} file ${source.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const secret = text.replace(/(\r?\n)+$/, '');
  if (secret === '') throw new ConfigError(`the ${what} file ${source.file} is empty`);
  return secret;
}
