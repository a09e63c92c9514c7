// oidc-provider's DPoP validation is internal; these are the two functions the token-exchange
// grant reaches (pinned oidc-provider version, see package.json).
declare module 'oidc-provider/lib/helpers/validate_dpop.js' {
  import type Provider from 'oidc-provider';
  import type { KoaContextWithOIDC } from 'oidc-provider';
  export interface DpopResult {
    thumbprint: string;
    jti: string;
    iat: number;
  }
  export default function validateDpop(provider: Provider, ctx: KoaContextWithOIDC, accessToken?: string): Promise<DpopResult | undefined>;
  export function checkDpopReplay(provider: Provider, ctx: KoaContextWithOIDC, dPoP: DpopResult, clientId: string): Promise<void>;
}

declare module 'oidc-provider/lib/helpers/weak_cache.js' {
  import type Provider from 'oidc-provider';
  /** oidc-provider's private state of a provider (used only to plant the dpop-nonce-any fault). */
  export default function instance(provider: Provider): { DPoPNonces?: { checkChallenge(challenge: string): boolean } };
}
