import { apiOperations } from './api-operations.js';
import { httpPathOf } from './api-paths.js';
import { OpenCibaApiError, OpenCibaTransportError } from './errors.js';
import type { OpenCibaApi } from './openciba-api.js';
import { apiFromTable, clientPlaceholderOf, messagePathOf, pathParamsOf, pathValueOf, type ResponseOf } from './operation-spec.js';

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
  serviceId?: string | undefined;
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

/** One authenticated JSON call to `target` (a path under the base URL); errors as the SDK's error classes. */
type HttpCall = <T>(spec: Call, target: string) => Promise<T>;

function httpCaller(options: HttpApiOptions): HttpCall {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const authorization = `Bearer ${options.token}`;

  return async function call<T>(spec: Call, path: string): Promise<T> {
    const target = `${baseUrl}${path}${queryString(spec.query)}`;
    const described = `${spec.method} ${path}`;
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
  };
}

/** The API over HTTP: the same paths, methods and JSON as Authlete's v3 API. */
export function createHttpApi(options: HttpApiOptions): OpenCibaApi {
  const http = httpCaller(options);
  const call = <T>(spec: Call) => http<T>(spec, httpPathOf(spec.path, spec.serviceId));
  return apiFromTable(apiOperations, (_name, spec) => {
    const params = pathParamsOf(spec.path);
    const queryNames = Object.keys(spec.query ?? {});
    const bodyMember = spec.body?.member;
    return async (request) => {
      const r = (request ?? {}) as Record<string, unknown>;
      const client = clientPlaceholderOf(spec.path);
      const clientId = client ? String(pathValueOf(request, client)) : undefined;
      const query: Query = {};
      for (const name of queryNames) query[name] = r[name] as Query[string];
      const answer = await call<unknown>({
        method: spec.method,
        path: messagePathOf(spec.path, clientId),
        ...(params.includes('serviceId') ? { serviceId: pathValueOf(request, 'serviceId') } : {}),
        ...(queryNames.length > 0 ? { query } : {}),
        ...(spec.method === 'POST' ? { body: (bodyMember === 'self' ? request : bodyMember && r[bodyMember]) ?? {} } : {}),
      });
      if (spec.noContent === 'void') return undefined as ResponseOf<typeof _name>;
      return (answer ?? (spec.noContent === 'empty-object' ? {} : undefined)) as ResponseOf<typeof _name>;
    };
  });
}

/** What the engine's `POST /admin/services/{id}/subjects/revoke` ended. */
export interface SubjectRevocationAnswer {
  revokedTokens: number;
  deniedRequests: number;
}

/** OpenCIBA's own administration extensions over HTTP (outside Authlete's API; Authlete has none of them). */
export interface OpenCibaAdminApi {
  /** Revokes a subject's tokens and approved-but-unredeemed requests at the engine; idempotent. */
  revokeSubject(serviceId: string, subject: string): Promise<SubjectRevocationAnswer>;
}

export function createHttpAdminApi(options: HttpApiOptions): OpenCibaAdminApi {
  const http = httpCaller(options);
  return {
    revokeSubject: (serviceId, subject) => {
      const path = `/admin/services/${encodeURIComponent(serviceId)}/subjects/revoke`;
      return http<SubjectRevocationAnswer>({ method: 'POST', path, body: { subject } }, path);
    },
  };
}
