import type { EngineContext } from '../context.js';
import { isClientIdAliasSyntax } from '../../wire/ids.js';

/**
 * The client a presented name means: its numeric id, or its custom alias (Authlete's APIs take
 * either). Undefined when it names none.
 */
export async function resolveClientId(ctx: EngineContext, serviceId: number, name: string): Promise<number | undefined> {
  if (/^[0-9]{1,15}$/.test(name)) return Number(name);
  if (!isClientIdAliasSyntax(name)) return undefined;
  return ctx.store.findClientIdByAlias(serviceId, name);
}
