// OIDC Core §5.4: the claims each standard scope asks for.
const CLAIMS_BY_SCOPE: Readonly<Record<string, readonly string[]>> = {
  profile: ['name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at'],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
};

/** The claims the given scopes ask for, in scope order, each once (other scopes ask for none). */
export function scopeClaims(scopes: readonly string[]): string[] {
  return [...new Set(scopes.flatMap((scope) => CLAIMS_BY_SCOPE[scope] ?? []))];
}
