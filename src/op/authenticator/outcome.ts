/** An authenticator operation's answer: a JSON body, or an OAuth-style error mapped to HTTP once, in the routes. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; status: 400 | 401 | 404 | 409; error: string; description: string };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const refused = (status: 400 | 401 | 404 | 409, error: string, description: string): Outcome<never> => ({ ok: false, status, error, description });

/** WebAuthn §5.1.3's recommended ceremony timeout (300 s): challenges live as long. */
export const CEREMONY_TIMEOUT_MS = 300_000;
