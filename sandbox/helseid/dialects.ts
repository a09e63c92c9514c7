// HelseID dialects: what HelseID's pages, old and new, and the RFCs let its token endpoint do.
import type { DialectDefinition } from '../core/faults.ts';
import type { CheckRun } from '../core/checks.ts';
import { HELSEID_PATHS } from '../../helpers/protocol.ts';

export const dialects = {
  'helseid-assertion-typ-jwt': {
    rule: 'a client assertion with typ JWT (or none) is accepted',
    source: "HelseID's older client-assertion page named typ JWT; its samples and library send client-authentication+jwt (facts §2.3, §10.6)",
    point: 'helseid.assertion-typ',
    requirements: ['HID-CA-008', 'HID-CA-002'],
    off: ['assertion.typ'],
  },
  'helseid-assertion-times-optional': {
    rule: 'a client assertion without iat or nbf is accepted, as long as it has exp and jti',
    source: "HelseID's client-assertion page lists iat and nbf among the claims a client sends (facts §2.3), without saying the token endpoint refuses an assertion that lacks them; RFC 7523 §3 makes both optional",
    point: 'helseid.assertion-times',
    requirements: ['HID-CA-010'],
    off: ['assertion.iat', 'assertion.nbf'],
  },
  'helseid-refresh-not-rotated': {
    rule: 'a refresh gives a new access token and keeps the refresh token (no rotation)',
    source: "HelseID's pages do not say whether it rotates refresh tokens; RFC 9700 §4.14.2 lets a server bind them to the client instead, as a confidential client's are",
    point: 'helseid.refresh-rotation',
    requirements: ['HID-RT-003', 'HID-RT-004'],
    off: ['refresh.rotate'],
  },
  'helseid-assertion-aud-token-endpoint': {
    rule: "a client assertion whose aud is the token endpoint's URL is accepted, as well as the issuer",
    source: 'RFC 7523 §3 (the audience may be the token endpoint URL); HelseID\'s page names the issuer',
    point: 'helseid.assertion-aud',
    requirements: ['HID-CA-003'],
    replace: {
      'assertion.aud': (base: CheckRun<{ claims?: { aud?: unknown } }>) => (c: { claims?: { aud?: unknown } }) => {
        const aud = [c.claims?.aud].flat();
        if (aud.length === 1 && typeof aud[0] === 'string' && aud[0].endsWith(HELSEID_PATHS.token)) return;
        return base(c);
      },
    },
  },
} satisfies Record<string, DialectDefinition>;
