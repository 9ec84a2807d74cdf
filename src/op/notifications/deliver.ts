import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AddressRefused, guardedRequestOptions, type OutboundOptions } from '../../lib/guarded-lookup.js';
import { checkOutboundUrl, parseAbsoluteUrl } from '../../lib/urls.js';
import { retryAfterHeader } from './retry-later.js';

export interface DeliveryTarget {
  url: string;
  /** The full `Authorization` header value (`Bearer …`), if any. */
  authorization?: string;
  /** JSON text, sent as is; or bytes (an encrypted Web Push message) with their `contentType`. */
  body: string | Buffer;
  contentType?: string;
  /** Extra headers (a webhook signature); they cannot replace the ones set here. */
  headers?: Record<string, string>;
}

export type { ResolveHost } from '../../lib/guarded-lookup.js';

export interface DeliveryOptions extends OutboundOptions {
  /** Whole-request budget: name resolution, connect, TLS, response head and body. */
  timeoutMs?: number;
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'final';

export interface DeliveryResult {
  /** `delivered`: the client answered 2xx. `retry`: try again later. `final`: never try again. */
  outcome: DeliveryOutcome;
  /** The client's HTTP status, when it answered. */
  status?: number;
  /** Why it was not delivered; never holds the body or the Authorization value. */
  error?: string;
  /** The peer's Retry-After header on a refusal, as sent (read against the dispatcher's clock). */
  retryAfter?: string;
}

export const DEFAULT_DELIVERY_TIMEOUT_MS = 5_000;
/** How much of a response body is read (and thrown away) before the connection is dropped. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
export const USER_AGENT = 'OpenCIBA';

/** URL-level rules (scheme, credentials, literal addresses). Returns the reason for a refusal. */
function checkUrl(value: string, options: DeliveryOptions): string | undefined {
  const problem = checkOutboundUrl(value, options.mode);
  if (!problem) return undefined;
  // With private addresses allowed, production keeps every rule except "public address".
  if (options.mode === 'production' && options.allowPrivateAddresses && parseAbsoluteUrl(value)?.protocol === 'https:') {
    if (checkOutboundUrl(value, 'development') === undefined) return undefined;
  }
  return `refused: the endpoint ${problem}`;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `connection failed: ${code}` : `connection failed: ${error.message}`;
  }
  return 'connection failed';
}

function outcomeOf(status: number): DeliveryResult {
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  if (status >= 300 && status < 400) return { outcome: 'final', status, error: `redirect refused: the endpoint answered HTTP ${status}` };
  if (status >= 500 && status < 600) return { outcome: 'retry', status, error: `HTTP ${status}` };
  // 4xx (CIBA §10.2: no retry after 401; conformance expects the same of 403) and anything odd.
  return { outcome: 'final', status, error: `HTTP ${status}` };
}

/**
 * Sends one notification POST, once. Never follows redirects, never connects to an address
 * the mode does not allow (checked on the resolved addresses actually used, so a name that
 * re-resolves elsewhere between check and connect cannot slip through), and never throws.
 */
export function deliverOnce(target: DeliveryTarget, options: DeliveryOptions): Promise<DeliveryResult> {
  const refusal = checkUrl(target.url, options);
  if (refusal) return Promise.resolve({ outcome: 'final', error: refusal });
  const url = new URL(target.url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const body = typeof target.body === 'string' ? Buffer.from(target.body, 'utf8') : target.body;

  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(target.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['content-type'] = target.contentType ?? 'application/json';
  headers['accept'] = 'application/json';
  headers['user-agent'] = USER_AGENT;
  headers['content-length'] = body.length;
  if (target.authorization !== undefined) headers['authorization'] = target.authorization;

  return new Promise<DeliveryResult>((resolve) => {
    let settled = false;
    let answered: DeliveryResult | undefined;
    let timer: NodeJS.Timeout | undefined;
    let req: ReturnType<typeof httpRequest> | undefined;

    const settle = (result: DeliveryResult) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      req?.destroy();
      resolve(result);
    };

    const onResponse = (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      answered = status >= 200 && status < 300 ? outcomeOf(status) : { ...outcomeOf(status), ...retryAfterHeader(res.headers['retry-after']) };
      const result = answered;
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_RESPONSE_BYTES) {
          res.destroy();
          settle(result);
        }
      });
      // The status decides; a body that ends badly changes nothing.
      res.on('end', () => settle(result));
      res.on('error', () => settle(result));
      res.on('close', () => settle(result));
    };

    try {
      const requestOptions = {
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers,
        ...guardedRequestOptions(url, options),
      };
      req = url.protocol === 'https:' ? httpsRequest(requestOptions, onResponse) : httpRequest(requestOptions, onResponse);
    } catch (error) {
      // Invalid header values (CR/LF in a token) and the like: sending again will not help.
      settle({ outcome: 'final', error: `request not sent: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }

    timer = setTimeout(() => {
      settle(answered ?? { outcome: 'retry', error: `timed out after ${timeoutMs} ms` });
    }, timeoutMs);

    req.on('error', (error) => {
      if (answered) settle(answered);
      else if (error instanceof AddressRefused) settle({ outcome: 'final', error: error.message });
      else settle({ outcome: 'retry', error: describeError(error) });
    });
    req.end(body);
  });
}
