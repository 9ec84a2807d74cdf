import type { OpenCibaApi } from './openciba-api.js';

// The shape of one entry of the table of operations (api-operations.ts), typed against the
// SDK interface so that every method of OpenCibaApi has exactly one entry and each entry's
// member names are members of that method's request.

type Group = keyof OpenCibaApi;

/** `ciba.processAuthentication`, `client.get`, …: one per method of OpenCibaApi. */
export type OperationName = { [G in Group]: `${G}.${Extract<keyof OpenCibaApi[G], string>}` }[Group];

type MethodOf<K extends OperationName> = K extends `${infer G extends Group}.${infer M}`
  ? M extends keyof OpenCibaApi[G]
    ? OpenCibaApi[G][M]
    : never
  : never;

/** The SDK request of an operation (`BackchannelAuthenticationApiRequest`, …). */
export type RequestOf<K extends OperationName> = MethodOf<K> extends (request: infer R) => Promise<unknown> ? NonNullable<R> : never;

/** The SDK answer of an operation (`BackchannelAuthenticationResponse`, …). */
export type ResponseOf<K extends OperationName> = MethodOf<K> extends (request: never) => Promise<infer A> ? A : never;

/** Who may call: the organization token only, a token of the service in the path, or either. */
export type CallerScope = 'organization' | 'service' | 'any';

/** A query member's JSON schema (Fastify validates it; the in-process API checks the same bounds). */
export type QuerySchema =
  | { type: 'integer'; minimum: number; maximum: number }
  | { type: 'string'; maxLength: number }
  | { type: 'boolean' };

export type Member<K extends OperationName> = Extract<keyof RequestOf<K>, string>;

export interface OperationSpec<K extends OperationName> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Authlete v3 path with `:serviceId` and `:clientId` (or `:clientIdentifier`), as Fastify routes it. */
  path: string;
  scope: CallerScope;
  /** OpenAPI tag and summary. */
  tag: string;
  summary: string;
  /**
   * The request body: a member of the SDK request, or the request itself (`self`), and its
   * wire schema. Action-style bodies are validated without their `required` list: Authlete
   * answers a missing member with an action, not a 400 (reference §1.2, §15 #1).
   */
  body?: { member: Member<K> | 'self'; schema: string; actionStyle?: true };
  /** Members of the SDK request that travel in the query string. */
  query?: { [P in Member<K>]?: QuerySchema };
  /** The operation also takes its query members as a POST form (the summary of that variant). */
  formPost?: string;
  /** Wire schema of the 200 answer. */
  response?: string;
  /**
   * An answer may be 204 without a body: `void` operations resolve to undefined, `empty-object`
   * ones to `{}` (the official SDK's behaviour for an absent JWK Set).
   */
  noContent?: 'void' | 'empty-object';
  /** Sent as JSON text (`?pretty=true` indents it) rather than serialized with the response schema. */
  jsonText?: true;
}

export type OperationTable = { [K in OperationName]: OperationSpec<K> };

/**
 * The placeholder naming a client: `clientId` in the client operations, `clientIdentifier` in the
 * secret ones (the official SDK's request member names; both take an id or a custom alias).
 */
export type ClientPlaceholder = 'clientId' | 'clientIdentifier';
type PathParam = 'serviceId' | ClientPlaceholder;

const CLIENT_PLACEHOLDER = /\/:(clientId|clientIdentifier)$/;

/** The path's client placeholder, if it has one. */
export function clientPlaceholderOf(path: string): ClientPlaceholder | undefined {
  return CLIENT_PLACEHOLDER.exec(path)?.[1] as ClientPlaceholder | undefined;
}

/** The path's placeholders, filled from the SDK request. */
export function pathParamsOf(path: string): PathParam[] {
  const params: PathParam[] = [];
  if (path.includes('/:serviceId/')) params.push('serviceId');
  const client = clientPlaceholderOf(path);
  if (client) params.push(client);
  return params;
}

/** The value of a path placeholder in an SDK request (a request without one is the caller's bug; it names nothing). */
export function pathValueOf(request: object | undefined, name: PathParam): string | undefined {
  const value: unknown = (request as Partial<Record<typeof name, unknown>> | undefined)?.[name];
  return value === undefined ? undefined : String(value);
}

/**
 * The path as API messages quote it (`/backchannel/authentication/fail`, `/client/get/17`):
 * without `/api` and the service id, the client id filled in.
 */
export function messagePathOf(path: string, clientId?: string): string {
  const bare = path.replace(/^\/api(\/:serviceId)?/, '');
  return clientId === undefined ? bare : bare.replace(CLIENT_PLACEHOLDER, `/${encodeURIComponent(clientId)}`);
}

/**
 * Builds an OpenCibaApi from one implementation per operation. The only place where the table's
 * names meet the interface's shape, so the only cast.
 */
export function apiFromTable(table: OperationTable, implement: <K extends OperationName>(name: K, spec: OperationSpec<K>) => (request: RequestOf<K>) => Promise<ResponseOf<K>>): OpenCibaApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const name of Object.keys(table) as OperationName[]) {
    const [group, method] = name.split('.') as [string, string];
    (api[group] ??= {})[method] = implement(name, table[name] as OperationSpec<typeof name>);
  }
  return api as unknown as OpenCibaApi;
}
