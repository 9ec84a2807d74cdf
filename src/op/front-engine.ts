/**
 * What the front needs of the engine, in the API's own words (Authlete's request wrappers
 * and responses). The SDK's in-process and HTTP clients both provide it, so the front runs
 * in one process with the engine, across machines, or in front of Authlete itself.
 */
export type Answer = Record<string, unknown> & { action?: string; resultCode?: string; responseContent?: string };

export interface FrontEngine {
  ciba: {
    processAuthentication(request: { serviceId: string; backchannelAuthenticationRequest: Record<string, unknown> }): Promise<Answer>;
    issue(request: { serviceId: string; backchannelAuthenticationIssueRequest: { ticket: string } }): Promise<Answer>;
    fail(request: { serviceId: string; backchannelAuthenticationFailRequest: Record<string, unknown> }): Promise<Answer>;
    complete(request: { serviceId: string; backchannelAuthenticationCompleteRequest: Record<string, unknown> }): Promise<Answer>;
  };
  token: { process(request: { serviceId: string; tokenRequest: Record<string, unknown> }): Promise<Answer> };
  introspection: { standardProcess(request: { serviceId: string; standardIntrospectionRequest: Record<string, unknown> }): Promise<Answer> };
  revocation: { process(request: { serviceId: string; revocationRequest: Record<string, unknown> }): Promise<Answer> };
  userinfo: {
    process(request: { serviceId: string; userinfoRequest: Record<string, unknown> }): Promise<Answer>;
    issue(request: { serviceId: string; userinfoIssueRequest: Record<string, unknown> }): Promise<Answer>;
  };
  service: { getConfiguration(request: { serviceId: string }): Promise<Record<string, unknown>> };
  client: { get(request: { serviceId: string; clientId: string }): Promise<Record<string, unknown>> };
  jwkSetEndpoint: { serviceJwksGetApi(request: { serviceId: string }): Promise<Record<string, unknown>> };
}

/** True when the engine stored the ping/push notification in its outbox already (in-process). */
export const OUTBOXED = Symbol('outboxed');
