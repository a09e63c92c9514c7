// The run's ledger of token requests: which (issuer, client, grant, audience, scopes, key) was
// asked for, and how it went. The token clients write it into the result of the test that asked
// (an attachment), so it travels with the results through a sharded run's blob reports; the
// summary reporter reads it back. A request made outside any test goes to the run folder.
import type { TestInfo } from '@playwright/test';
import { playwrightTest } from './playwright-test.ts';
import { appendJsonLine } from './run-dir.ts';

export const TOKEN_LEDGER = 'token-ledger.jsonl';
/** The attachment name of one ledger entry in a test's result. */
export const LEDGER_ATTACHMENT = 'nhn-token-ledger';

export interface TokenTuple {
  issuer: string;
  clientId: string;
  grant: 'client_credentials' | 'token_exchange' | 'test_token' | 'authorization_code' | 'refresh_token';
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

function currentTest(): TestInfo | undefined {
  try {
    return playwrightTest().info();
  } catch {
    return undefined;
  }
}

export function recordTokenRequest(entry: Omit<LedgerEntry, 'at'>): void {
  const full: LedgerEntry = { at: new Date().toISOString(), ...entry };
  const info = currentTest();
  if (info) info.attachments.push({ name: LEDGER_ATTACHMENT, contentType: 'application/json', body: Buffer.from(JSON.stringify(full)) });
  else appendJsonLine(TOKEN_LEDGER, full);
}

/** The ledger entries a test result carries (a body, or a file once a blob report is merged). */
export function ledgerEntriesOf(attachments: ReadonlyArray<{ name: string; body?: Buffer; path?: string }>, read: (file: string) => Buffer): LedgerEntry[] {
  return attachments
    .filter((a) => a.name === LEDGER_ATTACHMENT && (a.body || a.path))
    .map((a) => JSON.parse((a.body ?? read(a.path!)).toString('utf8')) as LedgerEntry);
}

