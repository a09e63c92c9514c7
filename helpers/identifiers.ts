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

/**
 * The synthetic month marks (facts §8.3): Skatteetaten's Test-Norge adds 80 to the month (81–92),
 * NHN's reserved test data adds 65 (66–77). A D-number (day + 40) and a felles hjelpenummer
 * (first digit 8 or 9) carry the mark in the same place.
 */
export const SYNTHETIC_MONTH_MARKS = [
  { name: 'Test-Norge (month + 80)', from: 81, to: 92 },
  { name: 'NHN reserved test data (month + 65)', from: 66, to: 77 },
] as const;

/** True when the number passes both control digits and its month field carries a synthetic mark. */
export function isSyntheticNin(nin: string): boolean {
  if (!hasValidNinControlDigits(nin)) return false;
  const month = Number(nin.slice(2, 4));
  return SYNTHETIC_MONTH_MARKS.some((m) => month >= m.from && month <= m.to);
}

/**
 * NHN's long-standing fictitious test persons, named on its PHR page (facts §8.4): ordinary-pattern
 * numbers with no synthetic month offset, so they are allowed by name, not by pattern.
 */
export const NHN_TEST_PERSONS: Readonly<Record<string, string>> = {
  '13116900216': 'Line Danser',
  '12119000465': 'Malin Fos Bogen',
  '15076500565': 'Roland (Kith) Gundersen',
  '23077200290': 'Else Nett',
  '23075821492': 'Benedicte Geiraas',
  '22047800106': 'Truls Blix',
};

/** A number the suite may send: synthetic by pattern, or one of NHN's named test persons. */
export function isTestPersonNin(nin: string): boolean {
  return isSyntheticNin(nin) || (nin in NHN_TEST_PERSONS && hasValidNinControlDigits(nin));
}

/** How many distinct synthetic NINs `syntheticNin` can make (n from 0 to this, exclusive). */
export const SYNTHETIC_NIN_CAPACITY = 800_000;
const CANDIDATES_PER_N = 8;

/**
 * The n-th synthetic fødselsnummer: deterministic, and injective (distinct n give distinct
 * numbers, because each n draws from its own block of candidates).
 */
export function syntheticNin(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= SYNTHETIC_NIN_CAPACITY) throw new RangeError(`synthetic NIN index ${n} outside 0..${SYNTHETIC_NIN_CAPACITY - 1}`);
  for (let attempt = 0; attempt < CANDIDATES_PER_N; attempt++) {
    let c = n * CANDIDATES_PER_N + attempt;
    const individual = 100 + (c % 400); // 100..499: born in the 1900s
    c = Math.floor(c / 400);
    const day = 1 + (c % 28);
    c = Math.floor(c / 28);
    const month = 81 + (c % 12);
    c = Math.floor(c / 12);
    const year = 50 + (c % 49);
    const base = `${String(day).padStart(2, '0')}${month}${String(year).padStart(2, '0')}${individual}`;
    const digits = toDigits(base);
    const k1 = mod11(digits, K1_WEIGHTS);
    if (k1 === undefined) continue;
    const k2 = mod11([...digits, k1], K2_WEIGHTS);
    if (k2 === undefined) continue;
    return `${base}${k1}${k2}`;
  }
  throw new Error(`no valid synthetic NIN in block ${n}`);
}

/** Recomputes both control digits of an 11-digit base (its first 9 digits); undefined when no valid K1/K2 exists. */
export function withControlDigits(nine: string): string | undefined {
  const digits = toDigits(nine);
  const k1 = mod11(digits, K1_WEIGHTS);
  if (k1 === undefined) return undefined;
  const k2 = mod11([...digits, k1], K2_WEIGHTS);
  return k2 === undefined ? undefined : `${nine}${k1}${k2}`;
}

/**
 * The n-th synthetic D-number: a synthetic fødselsnummer's day + 40 (facts §8.1), with the month
 * still + 80, and fresh control digits. Injective in n.
 */
export function syntheticDNumber(n: number): string {
  for (let attempt = 0; attempt < 64; attempt++) {
    const base = syntheticNin((n * 64 + attempt) % SYNTHETIC_NIN_CAPACITY);
    const d = withControlDigits(`${Number(base.slice(0, 1)) + 4}${base.slice(1, 9)}`);
    if (d) return d;
  }
  throw new Error(`no synthetic D-number for ${n}`);
}

/**
 * The n-th synthetic felles hjelpenummer: first digit 8 or 9 and two mod-11 control digits (facts
 * §8.2), with digits 3–4 in 81–92 so that it also carries the synthetic month mark.
 */
export function syntheticFhNumber(n: number): string {
  for (let attempt = 0; attempt < 64; attempt++) {
    const c = n * 64 + attempt;
    const nine = `${8 + (c % 2)}${Math.floor(c / 2) % 10}${81 + (Math.floor(c / 20) % 12)}${String(Math.floor(c / 240) % 100000).padStart(5, '0')}`;
    const fh = withControlDigits(nine);
    if (fh) return fh;
  }
  throw new Error(`no synthetic felles hjelpenummer for ${n}`);
}

/**
 * A synthetic DUF number (the immigration authorities' 12-digit number): a year and a serial.
 * Its control digits are not public here (facts §8.2 names only its OID); the serial starts at
 * 99, a range the suite keeps for synthetic numbers.
 */
export function syntheticDufNumber(n: number): string {
  return `20${String(10 + (n % 15)).padStart(2, '0')}99${String(n % 1_000_000).padStart(6, '0')}`;
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
