import { isKeyRefusal, listServiceKeys, rotateServiceKeys } from '../engine/keys/key-rotation.js';
import { createRuntime } from '../server/runtime.js';
import { ConfigError, type Config } from '../server/config.js';

/**
 * `openciba key rotate --service ID [--alg ALG]` and `openciba key list --service ID`: the same
 * engine functions as `POST /admin/services/{id}/keys/rotate` and `GET …/keys`, against the
 * database this configuration names. Prints the key listing as JSON.
 */
export async function runKeyCommand(config: Config, sub: string | undefined, values: { service?: string | undefined; alg?: string | undefined }): Promise<number> {
  if (sub !== 'rotate' && sub !== 'list') throw new ConfigError('key needs a subcommand: rotate or list');
  const service = values.service;
  if (!service || !/^[0-9]{1,15}$/.test(service)) throw new ConfigError(`key ${sub} needs --service <service id>`);
  if (sub === 'list' && values.alg !== undefined) throw new ConfigError('key list takes no --alg');
  const runtime = await createRuntime({ ...config, demo: false }, { logger: false, background: false });
  try {
    const result =
      sub === 'rotate'
        ? await rotateServiceKeys(runtime.engine, Number(service), values.alg !== undefined ? { alg: values.alg } : {})
        : await listServiceKeys(runtime.engine, Number(service));
    if (isKeyRefusal(result)) {
      process.stderr.write(`openciba: ${result.error}: ${result.description}\n`);
      return 1;
    }
    process.stdout.write(`${JSON.stringify({ keys: result.keys }, null, 2)}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}
