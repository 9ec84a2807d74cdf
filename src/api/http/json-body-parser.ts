import type { FastifyInstance } from 'fastify';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../../lib/json.js';

/** The error a too-deep body fails parsing with; each side's error handler maps it to its 400. */
export const JSON_TOO_DEEP = 'OPENCIBA_JSON_TOO_DEEP';

class JsonTooDeepError extends Error {
  readonly code = JSON_TOO_DEEP;
  readonly statusCode = 400;
  constructor() {
    super(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  }
}

/**
 * Replaces Fastify's JSON body parser, for the API, the administration routes and the front
 * alike, with one that refuses bodies nested deeper than MAX_JSON_DEPTH before parsing them.
 * Everything after parsing walks the value (the null-stripping hook, the validator, the engine,
 * JSON.stringify when storing), and a body nested thousands deep would overflow the stack in the
 * first of them. The rest — prototype-poisoning checks, empty-body and syntax errors — is
 * Fastify's own parser. Must run before any route or plugin is registered, which inherit it.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, raw, done) => {
    // parseAs 'string' hands over text; the type also admits a Buffer.
    const body = typeof raw === 'string' ? raw : raw.toString('utf8');
    if (jsonNestsDeeperThan(body, MAX_JSON_DEPTH)) {
      done(new JsonTooDeepError(), undefined);
      return;
    }
    parseJson(request, body, done);
  });
}
