import { createHttpAdminApi } from '../sdk/http-client.js';
import type { Config } from './config.js';

/**
 * For a front whose engine runs apart (OPENCIBA_ENGINE_URL): the call that revokes a locked or
 * deleted user's tokens where they live, the engine's database. Shared by the admin API and the
 * CLI. It answers undefined when the engine revoked, else why not, as a value for the caller to
 * report (502, or the CLI's exit status). Undefined when the engine is in-process: the local
 * transaction already revoked everything.
 */
export function engineRevocation(config: Config): ((serviceId: number, subject: string) => Promise<string | undefined>) | undefined {
  if (config.engineUrl === undefined) return undefined;
  const admin = createHttpAdminApi({ baseUrl: config.engineUrl, token: config.engineToken ?? '' });
  return (serviceId, subject) =>
    admin.revokeSubject(String(serviceId), subject).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
}
