// The run's ledger of token requests: which (issuer, client, grant, audience, scopes, key) was
// asked for, and how it went. The token clients write it; the summary reporter reads it.
import { appendJsonLine } from './run-dir.ts';

export const TOKEN_LEDGER = 'token-ledger.jsonl';

export interface TokenTuple {
  issuer: string;
  clientId: string;
  grant: 'client_credentials' | 'token_exchange' | 'test_token' | 'authorization_code';
  audience: string;
  scopes: string[];
  jkt: string;
  /** Token exchange: which subject token (a fingerprint, never the token). */
  subject?: string;
  /** The twin instance that issued it (a restarted twin is another issuer). */
  instance?: string;
}

export interface LedgerEntry {
  at: string;
  tuple: TokenTuple;
  /** `granted`: a token was issued; `refused`: the endpoint said no (negative tests); `nonce-challenge`: it asked for a DPoP nonce first. */
  outcome: 'granted' | 'refused' | 'nonce-challenge';
  httpCalls: number;
  nonceChallenges: number;
  cached: boolean;
  error?: string;
}

export function tupleKey(t: TokenTuple): string {
  return [t.issuer, t.clientId, t.grant, t.audience, [...t.scopes].sort().join(' '), t.jkt, t.subject ?? '', t.instance ?? ''].join('|');
}

export function recordTokenRequest(entry: Omit<LedgerEntry, 'at'>): void {
  appendJsonLine(TOKEN_LEDGER, { at: new Date().toISOString(), ...entry });
}

