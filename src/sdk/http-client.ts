import { apiPaths, httpPathOf } from './api-paths.js';
import { OpenCibaApiError, OpenCibaTransportError } from './errors.js';
import type { OpenCibaApi } from './openciba-api.js';

export interface HttpApiOptions {
  /** Where the API lives, without `/api`: `http://127.0.0.1:8080`, or `https://us.authlete.com`. */
  baseUrl: string;
  /** Organization token or service access token, sent as `Authorization: Bearer`. */
  token: string;
  /** Defaults to the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Per call, including reading the answer. Default 10 000 ms. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

type Method = 'GET' | 'POST' | 'DELETE';
type Query = Record<string, string | number | boolean | undefined>;

interface Call {
  method: Method;
  path: string;
  serviceId?: string;
  query?: Query;
  body?: unknown;
}

// Generic codes for an error answer without the standard body (say, from a proxy), in the
// category the status suggests: 1 = the server failed, 2 = the call was bad.
const GENERIC_SERVER_ERROR = 'A001101';
const GENERIC_BAD_REQUEST = 'A001201';

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function standardErrorBody(value: unknown): { resultCode: string; resultMessage: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { resultCode, resultMessage } = value as Record<string, unknown>;
  // Authlete's unreferenced 404 example has a numeric resultCode (reference §15 #18).
  if ((typeof resultCode !== 'string' && typeof resultCode !== 'number') || typeof resultMessage !== 'string') return undefined;
  return { resultCode: String(resultCode), resultMessage };
}

/** The API over HTTP: the same paths, methods and JSON as Authlete's v3 API. */
export function createHttpApi(options: HttpApiOptions): OpenCibaApi {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const authorization = `Bearer ${options.token}`;

  async function call<T>(spec: Call): Promise<T> {
    const target = `${baseUrl}${httpPathOf(spec.path, spec.serviceId)}${queryString(spec.query)}`;
    const described = `${spec.method} ${httpPathOf(spec.path, spec.serviceId)}`;
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    const init: RequestInit = { method: spec.method, headers, signal: AbortSignal.timeout(timeoutMs) };
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(spec.body);
    }

    let status: number;
    let statusText: string;
    let text: string;
    try {
      const response = await doFetch(target, init);
      status = response.status;
      statusText = response.statusText;
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw timedOut
        ? new OpenCibaTransportError('timeout', `${described}: no answer within ${timeoutMs} ms.`, { cause: error })
        : new OpenCibaTransportError('network', `${described}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }

    if (status >= 200 && status < 300) {
      if (status === 204 || text === '') return undefined as T;
      const value = parseJson(text);
      if (value === undefined) throw new OpenCibaTransportError('invalid-response', `${described}: HTTP ${status} with a body that is not JSON.`);
      return value as T;
    }

    const standard = standardErrorBody(parseJson(text));
    if (standard) throw new OpenCibaApiError(status, standard.resultCode, standard.resultMessage, { body: text });
    const resultCode = status >= 500 ? GENERIC_SERVER_ERROR : GENERIC_BAD_REQUEST;
    const snippet = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    throw new OpenCibaApiError(
      status,
      resultCode,
      `[${resultCode}] ${spec.path}, HTTP ${status}${statusText ? ` ${statusText}` : ''} without the standard error body${snippet ? `: ${snippet}` : '.'}`,
      { body: text },
    );
  }

  const post = <T>(path: string, serviceId: string | undefined, body: unknown) => call<T>({ method: 'POST', path, serviceId, body: body ?? {} });

  return {
    ciba: {
      processAuthentication: (r) => post(apiPaths.backchannelAuthentication, r.serviceId, r.backchannelAuthenticationRequest),
      issue: (r) => post(apiPaths.backchannelAuthenticationIssue, r.serviceId, r.backchannelAuthenticationIssueRequest),
      fail: (r) => post(apiPaths.backchannelAuthenticationFail, r.serviceId, r.backchannelAuthenticationFailRequest),
      complete: (r) => post(apiPaths.backchannelAuthenticationComplete, r.serviceId, r.backchannelAuthenticationCompleteRequest),
    },
    token: {
      process: (r) => post(apiPaths.token, r.serviceId, r.tokenRequest),
    },
    introspection: {
      process: (r) => post(apiPaths.introspection, r.serviceId, r.introspectionRequest),
      standardProcess: (r) => post(apiPaths.introspectionStandard, r.serviceId, r.standardIntrospectionRequest),
    },
    revocation: {
      process: (r) => post(apiPaths.revocation, r.serviceId, r.revocationRequest),
    },
    userinfo: {
      process: (r) => post(apiPaths.userinfo, r.serviceId, r.userinfoRequest),
      issue: (r) => post(apiPaths.userinfoIssue, r.serviceId, r.userinfoIssueRequest),
    },
    service: {
      get: (r) => call({ method: 'GET', path: apiPaths.serviceGet, serviceId: r.serviceId }),
      list: (r) => call({ method: 'GET', path: apiPaths.serviceGetList, query: { start: r?.start, end: r?.end } }),
      create: (service) => post(apiPaths.serviceCreate, undefined, service),
      update: (r) => post(apiPaths.serviceUpdate, r.serviceId, r.service),
      delete: async (r) => {
        await call<unknown>({ method: 'DELETE', path: apiPaths.serviceDelete, serviceId: r.serviceId });
      },
      getConfiguration: (r) =>
        call({ method: 'GET', path: apiPaths.serviceConfiguration, serviceId: r.serviceId, query: { pretty: r.pretty, patch: r.patch } }),
    },
    client: {
      get: (r) => call({ method: 'GET', path: apiPaths.clientGet(r.clientId), serviceId: r.serviceId }),
      list: (r) =>
        call({ method: 'GET', path: apiPaths.clientGetList, serviceId: r.serviceId, query: { developer: r.developer, start: r.start, end: r.end } }),
      create: (r) => post(apiPaths.clientCreate, r.serviceId, r.client),
      update: (r) => post(apiPaths.clientUpdate(r.clientId), r.serviceId, r.client),
      delete: async (r) => {
        await call<unknown>({ method: 'DELETE', path: apiPaths.clientDelete(r.clientId), serviceId: r.serviceId });
      },
    },
    jwkSetEndpoint: {
      serviceJwksGetApi: async (r) =>
        (await call<Record<string, unknown> | undefined>({
          method: 'GET',
          path: apiPaths.serviceJwksGet,
          serviceId: r.serviceId,
          query: { includePrivateKeys: r.includePrivateKeys, pretty: r.pretty },
        })) ?? {},
    },
  };
}
