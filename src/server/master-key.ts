import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { decodeMasterKey, type Config } from './config.js';

/**
 * The master key seals secrets and keys token digests. From OPENCIBA_MASTER_KEY (needed when
 * several nodes share one database), else from `master.key` in the data directory, made on
 * first start with mode 0600.
 */
export function loadMasterKey(config: Config): { key: Buffer; source: string } {
  if (config.masterKey) return { key: decodeMasterKey(config.masterKey), source: 'OPENCIBA_MASTER_KEY' };
  const file = join(config.dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(file, 0o600);
  return { key: decodeMasterKey(readFileSync(file, 'utf8')), source: file };
}
