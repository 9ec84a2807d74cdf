/**
 * The WebAuthn relying party of a service's authenticator app. The RP ID and the expected origin
 * come from the configured public URL, never from request headers (WebAuthn §13.4.9). WebAuthn
 * refuses IP addresses as RP IDs: a development server is reached at `localhost`, not 127.0.0.1.
 */
export interface RelyingParty {
  rpID: string;
  origin: string;
  /** `{issuer}/authenticator` */
  appUrl: string;
}

export function relyingParty(publicUrl: string, serviceId: number): RelyingParty {
  const url = new URL(publicUrl);
  return { rpID: url.hostname, origin: url.origin, appUrl: `${publicUrl.replace(/\/$/, '')}/s/${serviceId}/authenticator` };
}
