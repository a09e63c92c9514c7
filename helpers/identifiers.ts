// Synthetic Norwegian identifiers. Pure functions, shared by the suite and the twin.
// Every national identity number made here follows Skatteetaten's synthetic convention
// (month + 80), so it can never be a real person's number.

const K1_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const K2_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
const ORGNR_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2];

function mod11(digits: number[], weights: number[]): number | undefined {
  const sum = weights.reduce((acc, w, i) => acc + w * (digits[i] ?? 0), 0);
  const k = 11 - (sum % 11);
  if (k === 11) return 0;
  if (k === 10) return undefined;
  return k;
}

function toDigits(value: string): number[] {
  return [...value].map(Number);
}

/** True when an 11-digit number passes both mod-11 control digits. */
export function hasValidNinControlDigits(nin: string): boolean {
  if (!/^\d{11}$/.test(nin)) return false;
  const d = toDigits(nin);
  return mod11(d, K1_WEIGHTS) === d[9] && mod11(d, K2_WEIGHTS) === d[10];
}

/** True when the month field carries the +80 synthetic offset. */
export function isSyntheticNin(nin: string): boolean {
  if (!hasValidNinControlDigits(nin)) return false;
  const month = Number(nin.slice(2, 4));
  return month >= 81 && month <= 92;
}

/**
 * The n-th synthetic fødselsnummer: deterministic, so a run can be reproduced,
 * and distinct for distinct n within a run's range.
 */
export function syntheticNin(n: number): string {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const k = n * 7 + attempt;
    const day = 1 + (k % 28);
    const month = 81 + (Math.floor(k / 28) % 12);
    const year = 50 + (Math.floor(k / 336) % 49); // 1950..1998
    const individual = 100 + ((k * 37) % 400); // 100..499 → 1900s
    const base = `${String(day).padStart(2, '0')}${month}${String(year).padStart(2, '0')}${individual}`;
    const digits = toDigits(base);
    const k1 = mod11(digits, K1_WEIGHTS);
    if (k1 === undefined) continue;
    const k2 = mod11([...digits, k1], K2_WEIGHTS);
    if (k2 === undefined) continue;
    return `${base}${k1}${k2}`;
  }
  throw new Error(`no synthetic NIN for ${n}`);
}

/** A nine-digit organisation number with a valid control digit, starting with 3 like Skatteetaten's synthetic ones. */
export function syntheticOrgnr(n: number): string {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = `3${String((n * 131 + attempt) % 10_000_000).padStart(7, '0')}`;
    const k = mod11(toDigits(base), ORGNR_WEIGHTS);
    if (k !== undefined) return `${base}${k}`;
  }
  throw new Error(`no synthetic orgnr for ${n}`);
}

export function hasValidOrgnrControlDigit(orgnr: string): boolean {
  if (!/^\d{9}$/.test(orgnr)) return false;
  const d = toDigits(orgnr);
  return mod11(d, ORGNR_WEIGHTS) === d[8];
}

/** HPR numbers have no public control digit; a 9-digit number in a range NHN examples do not use. */
export function syntheticHprNumber(n: number): string {
  return String(990_000_000 + (n % 10_000_000));
}

export const OID = {
  fnr: 'urn:oid:2.16.578.1.12.4.1.4.1',
  dnr: 'urn:oid:2.16.578.1.12.4.1.4.2',
  fhn: 'urn:oid:2.16.578.1.12.4.1.4.3',
  hpr: 'urn:oid:2.16.578.1.12.4.1.4.4',
  orgnr: 'urn:oid:2.16.578.1.12.4.1.4.101',
} as const;
