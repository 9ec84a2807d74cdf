/** Small fetch helpers for raw HTTP tests. */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function request(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
