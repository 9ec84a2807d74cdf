import { verifyAuditChain } from '../engine/audit/verify-chain.js';
import { ConfigError, type Config } from '../server/config.js';
import { openStore } from '../store/open-store.js';

/**
 * `openciba audit verify --service ID`: checks the service's hash chain in the database. Exit 0
 * with a summary when it is intact; 1 naming the first seq that does not verify (an event edited
 * or deleted, a purge no checkpoint vouches for, a deleted tail). Needs no master key: the chain
 * is plain SHA-256, so an auditor can check a copy of the database.
 */
export async function runAuditCommand(config: Config, sub: string | undefined, values: { service?: string | undefined }): Promise<number> {
  if (sub !== 'verify') throw new ConfigError('audit needs a subcommand: verify --service <service id>');
  const service = values.service;
  if (!service || !/^[0-9]{1,15}$/.test(service)) throw new ConfigError('audit verify needs --service <service id>');
  const { store } = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const result = await verifyAuditChain(store, Number(service));
    const tail = result.unchained > 0 ? `; ${result.unchained} newer events not linked yet (not covered)` : '';
    if (!result.ok) {
      process.stdout.write(`service ${service}: audit chain BROKEN at seq ${result.firstBadSeq}: ${result.reason}${tail}\n`);
      return 1;
    }
    const range = result.checked > 0 ? `events ${result.fromSeq}..${result.toSeq} (${result.checked} checked), head ${result.headHash}` : 'no linked events';
    process.stdout.write(`service ${service}: audit chain intact: ${range}${tail}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
