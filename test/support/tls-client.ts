import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Issued } from './pki.js';
import type { RawResponse } from './http.js';

/** What a TLS client presents: the CA it trusts for the server, and its own certificate (if any). */
export interface TlsIdentity {
  ca: string;
  cert?: Issued | undefined;
  /** Intermediate certificates (PEM) sent after the client's own. */
  chain?: string[] | undefined;
}

export interface TlsRequest {
  method?: string;
  headers?: Record<string, string>;
  form?: Record<string, string>;
  body?: string;
}

/**
 * One HTTPS request on loopback with a client certificate (and its chain), on a connection of its
 * own (no agent: a pooled connection would carry an earlier certificate into a test that means to
 * send none). An `http:` URL is sent in the clear, with no certificate, for the plain front.
 */
export function tlsRequest(url: string, identity: TlsIdentity, options: TlsRequest = {}): Promise<RawResponse> {
  const body = options.form ? new URLSearchParams(options.form).toString() : options.body;
  const headers: Record<string, string> = { ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...options.headers };
  const secure = new URL(url).protocol === 'https:';
  const tls = secure ? { ca: identity.ca, ...(identity.cert ? { cert: [identity.cert.cert, ...(identity.chain ?? [])].join(''), key: identity.cert.key } : {}) } : {};
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, agent: false, ...tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, one);
        }
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A `fetch` for openid-client's `customFetch` that goes over node:https with the client's
 * certificate and trusts the test CA: how a real relying party does mutual TLS with that library.
 */
export function certificateFetch(identity: TlsIdentity) {
  return async (url: string, options: { method?: string; headers?: Headers | Record<string, string>; body?: unknown; redirect?: string }): Promise<Response> => {
    const headers: Record<string, string> = {};
    new Headers(options.headers as HeadersInit | undefined).forEach((value, name) => {
      headers[name] = value;
    });
    const body = options.body === undefined || options.body === null ? undefined : typeof options.body === 'string' ? options.body : options.body instanceof URLSearchParams ? options.body.toString() : String(options.body);
    const answer = await tlsRequest(url, identity, { method: options.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}) });
    const empty = answer.status === 204 || answer.status === 304;
    return new Response(empty ? null : answer.text, { status: answer.status, headers: answer.headers });
  };
}
