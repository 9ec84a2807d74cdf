/**
 * Result codes in Authlete's `A` + group(3) + category(1) + sequence(2) pattern (reference
 * §1.4). Codes observed on Authlete are reused; the others keep the category digit honest:
 * 0 success, 1 our failure, 2 the caller's bad API call, 3 the OAuth client's bad request.
 */
export interface ResultCode {
  code: string;
  text: string;
}

const rc = (code: string, text: string): ResultCode => ({ code, text });

export const codes = {
  // /backchannel/authentication
  bcUserIdentification: rc('A179001', 'The backchannel authentication request was processed successfully.'),
  bcMissingParameters: rc('A169201', "The request does not contain 'parameters'."),
  bcServerError: rc('A169101', 'An error occurred while processing the backchannel authentication request.'),
  bcDeliveryModeNotSet: rc('A169301', 'The backchannel token delivery mode of the client application is not set.'),
  bcGrantNotAllowed: rc('A169302', "The client application is not allowed to use the CIBA grant type."),
  bcDeliveryModeUnsupported: rc('A169303', 'The backchannel token delivery mode of the client application is not supported by the service.'),
  bcNotificationEndpointMissing: rc('A169304', 'The client application has no backchannel client notification endpoint.'),
  bcMalformedParameters: rc('A169305', 'The request parameters are malformed.'),
  bcScopeMissingOpenid: rc('A169306', "The 'scope' request parameter must include 'openid'."),
  bcScopeUnsupported: rc('A169307', "The 'scope' request parameter includes a scope the service does not support."),
  bcNoHint: rc('A169308', "The request contains none of 'login_hint', 'id_token_hint' and 'login_hint_token'."),
  bcMultipleHints: rc('A169309', "The request contains more than one of 'login_hint', 'id_token_hint' and 'login_hint_token'."),
  bcBadIdTokenHint: rc('A169310', "The 'id_token_hint' was not issued by this service or is malformed."),
  bcNotificationTokenMissing: rc('A169311', "The 'client_notification_token' request parameter is required in ping and push modes."),
  bcNotificationTokenMalformed: rc('A169312', "The 'client_notification_token' is malformed or longer than 1024 characters."),
  bcRequestedExpiryMalformed: rc('A169313', "The 'requested_expiry' request parameter must be a positive integer."),
  bcUserCodeMissing: rc('A169314', "The 'user_code' request parameter is required."),
  bcBadResource: rc('A169315', "A 'resource' request parameter is not an absolute URI without a fragment."),
  bcBadAuthorizationDetails: rc('A169316', "The 'authorization_details' request parameter is malformed."),
  bcRequestObjectRequired: rc('A169317', "The client must send its request as a signed request object ('request')."),
  bcBadRequestObject: rc('A169318', 'The request object is invalid.'),
  bcClientAuthFailed: rc('A169319', 'Client authentication failed.'),
  bcBadBindingMessage: rc('A169320', "The 'binding_message' request parameter is malformed."),
  bcScopeNotRequestable: rc('A169321', "The 'scope' request parameter includes a scope the client may not request."),

  // /backchannel/authentication/issue
  issueOk: rc('A183001', 'An auth_req_id was issued successfully.'),
  issueNoTicket: rc('A181201', 'The ticket does not exist.'),
  issueTicketExpired: rc('A181202', 'The ticket has expired or was already used.'),
  issueMissingTicket: rc('A181203', "The request does not contain 'ticket'."),

  // /backchannel/authentication/fail
  failOk: rc('A185001', 'Successfully generated an error response for the backchannel authentication request.'),
  failBadDescription: rc('A185201', "'errorDescription' or 'errorUri' contains characters that are not allowed."),

  // /backchannel/authentication/complete
  completePoll: rc('A198001', 'Successfully updated the database so that the token endpoint can generate tokens.'),
  completeNotification: rc('A198002', 'Successfully prepared the notification to the client.'),
  completeNoTicket: rc('A186202', 'No record that holds the ticket.'),
  completeMissingTicket: rc('A186201', "The request does not contain 'ticket'."),
  completeAlreadyDone: rc('A186203', 'The backchannel authentication request was already completed or has expired.'),
  completeMissingSubject: rc('A186204', "'subject' is required when 'result' is AUTHORIZED."),
  completeBadInput: rc('A186205', 'The complete request is malformed.'),

  // /auth/token
  tokenOk: rc('A200001', 'The token request (grant_type=urn:openid:params:grant-type:ciba) was processed successfully.'),
  tokenRefreshOk: rc('A053001', 'The token request (grant_type=refresh_token) was processed successfully.'),
  tokenMissingParameters: rc('A244201', "The request does not contain 'parameters'."),
  tokenServerError: rc('A244101', 'An error occurred while processing the token request.'),
  tokenMalformed: rc('A244301', 'The token request parameters are malformed.'),
  tokenMissingGrantType: rc('A244302', "The token request does not contain 'grant_type'."),
  tokenUnsupportedGrantType: rc('A244303', 'The grant type is not supported by this service.'),
  tokenUnauthorizedClient: rc('A244304', 'The client application is not allowed to use the grant type.'),
  tokenNoClientClue: rc('A244305', 'The token request does not include any clue to identify the client.'),
  tokenClientAuthFailed: rc('A244306', 'Client authentication failed.'),
  cibaMissingAuthReqId: rc('A200301', "The token request does not contain 'auth_req_id'."),
  cibaOtherClient: rc('A200302', "The 'auth_req_id' was issued to another client."),
  cibaReplay: rc('A200303', "The 'auth_req_id' has already been used."),
  cibaUnknown: rc('A200304', "The 'auth_req_id' does not exist."),
  cibaPending: rc('A200305', 'The end-user has not been authenticated yet.'),
  cibaSlowDown: rc('A200306', 'The client is polling too fast.'),
  cibaExpired: rc('A200307', "The 'auth_req_id' has expired."),
  cibaDenied: rc('A200308', 'The end-user denied the authorization request.'),
  cibaTransactionFailed: rc('A200309', 'The backchannel authentication transaction failed.'),
  cibaPushClient: rc('A200310', 'A client in push mode does not use the token endpoint for CIBA.'),
  refreshMissing: rc('A053301', "The token request does not contain 'refresh_token'."),
  refreshUnknown: rc('A053302', 'The refresh token does not exist or has expired.'),
  refreshOtherClient: rc('A053303', 'The refresh token was issued to another client.'),
  refreshBadScope: rc('A053304', "The 'scope' includes scopes the refresh token was not granted."),
  // Sender-constrained tokens at /auth/token (RFC 8705 §3, RFC 9449 §5)
  tokenCertificateRequired: rc('A244307', 'The client uses certificate-bound access tokens but presented no valid client certificate.'),
  tokenDpopInvalid: rc('A244308', 'The DPoP proof is invalid.'),
  tokenDpopRequired: rc('A244309', 'The client must present a DPoP proof.'),
  tokenDpopNonce: rc('A244310', 'The DPoP proof must carry a recent nonce from the server.'),
  refreshBindingMismatch: rc('A053305', 'The refresh token is bound to another certificate or DPoP key.'),

  // /auth/introspection
  introspectionOk: rc('A056001', 'The access token is valid.'),
  introspectionMissingToken: rc('A056201', "The request does not contain 'token'."),
  introspectionUnknown: rc('A056301', 'The access token does not exist.'),
  introspectionExpired: rc('A056302', 'The access token has expired.'),
  introspectionInsufficientScope: rc('A056303', 'The access token does not cover the required scopes.'),
  introspectionSubjectMismatch: rc('A056304', 'The subject of the access token does not match the required subject.'),
  // Sender-constrained tokens at resources (RFC 8705 §3, RFC 9449 §7); shared by /auth/userinfo
  presentedCertificateMismatch: rc('A056305', 'The access token is bound to a client certificate the request did not present.'),
  presentedDpopMissing: rc('A056306', 'The access token is DPoP-bound but no DPoP proof was presented.'),
  presentedDpopInvalid: rc('A056307', 'The DPoP proof is invalid.'),
  presentedDpopKeyMismatch: rc('A056308', 'The DPoP proof key is not the key the access token is bound to.'),
  presentedDpopNonce: rc('A056309', 'The DPoP proof must carry a recent nonce from the server.'),
  standardIntrospectionOk: rc('A145001', 'Introspection was performed successfully.'),
  standardIntrospectionAuthenticatedOk: rc('A145002', 'Introspection was performed successfully for an authenticated client.'),
  standardIntrospectionClientAuthFailed: rc('A145302', 'Client authentication failed.'),
  standardIntrospectionMissingToken: rc('A145301', "The introspection request does not contain 'token'."),
  standardIntrospectionMissingParameters: rc('A145201', "The request does not contain 'parameters'."),

  // /auth/revocation
  revocationOk: rc('A113001', 'The token has been revoked successfully.'),
  revocationMissingParameters: rc('A113201', "The request does not contain 'parameters'."),
  revocationMissingToken: rc('A113301', "The revocation request does not contain 'token'."),
  revocationClientAuthFailed: rc('A113302', 'Client authentication failed.'),

  // /auth/userinfo and /auth/userinfo/issue
  userinfoOk: rc('A091001', 'The access token presented at the userinfo endpoint is valid.'),
  userinfoMissingToken: rc('A091201', "The request does not contain 'token'."),
  userinfoUnknown: rc('A091301', 'The access token does not exist.'),
  userinfoExpired: rc('A091302', 'The access token has expired.'),
  userinfoNoOpenid: rc('A091303', "The access token does not have the 'openid' scope."),
  userinfoNoSubject: rc('A091304', 'The access token has no subject.'),
  userinfoIssueJson: rc('A096001', 'An ID token was generated successfully.'),
  userinfoIssueBadClaims: rc('A096201', "'claims' is not a JSON object."),

  // /client/secret/refresh and /client/secret/update (OpenCIBA's codes: the reference lists none)
  clientSecretRefreshOk: rc('A148001', 'The client secret was refreshed successfully.'),
  clientSecretUpdateOk: rc('A149001', 'The client secret was updated successfully.'),
  clientSecretMalformed: rc('A149201', "'clientSecret' must be 1 to 86 characters of A-Z, a-z, 0-9, '-' and '_'."),
} as const;

export type CodeName = keyof typeof codes;

export function resultMessage(code: ResultCode, detail?: string): string {
  return `[${code.code}] ${detail ?? code.text}`;
}
