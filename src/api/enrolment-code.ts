import type { Keyring } from '../lib/keyring.js';
import type { Random } from '../lib/random.js';
import type { AuthenticatorStore } from '../store/ports.js';

/** Enrolment codes live at most ten minutes (the authenticator reference's rule §8.12); 10 by default. */
export const MAX_ENROLMENT_SECONDS = 600;
/** 256 random bits, far above the 128 a guessable-code attack would need to beat. */
const CODE_BYTES = 32;

export interface IssuedEnrolment {
  code: string;
  /** `{issuer}/authenticator/#enrol=<code>`: in the fragment, so it reaches no server log. */
  link: string;
  expiresAt: number;
}

/**
 * A one-time enrolment code for a user of the directory, for the admin API and the CLI alike:
 * shown once, stored as a keyed digest, good for one enrolment until it expires.
 */
export async function issueEnrolment(
  deps: { store: Pick<AuthenticatorStore, 'createEnrolment'>; keyring: Keyring; random: Random; now: number; publicUrl: string },
  serviceId: number,
  subject: string,
  seconds = MAX_ENROLMENT_SECONDS,
): Promise<IssuedEnrolment> {
  const code = deps.random.token(CODE_BYTES);
  const expiresAt = deps.now + Math.min(seconds, MAX_ENROLMENT_SECONDS) * 1000;
  await deps.store.createEnrolment({ codeDigest: deps.keyring.digest(code), serviceId, subject, createdAt: deps.now, expiresAt });
  return { code, link: `${deps.publicUrl.replace(/\/$/, '')}/s/${serviceId}/authenticator/#enrol=${code}`, expiresAt };
}
