import { expect, test } from '../../fixtures/base.ts';
import { hasValidNinControlDigits, hasValidOrgnrControlDigit, isSyntheticNin, syntheticNin, syntheticOrgnr } from '../../helpers/identifiers.ts';

test('synthetic NINs pass both control digits and carry the +80 month offset', () => {
  const seen = new Set<string>();
  for (let n = 0; n < 500; n++) {
    const nin = syntheticNin(n);
    expect(hasValidNinControlDigits(nin), nin).toBe(true);
    expect(isSyntheticNin(nin), nin).toBe(true);
    seen.add(nin);
  }
  expect(seen.size).toBe(500);
});

test('known fictitious NINs from NHN pages pass the control digits; a broken one fails', () => {
  for (const nin of ['13116900216', '12119000465', '15076500565']) expect(hasValidNinControlDigits(nin)).toBe(true);
  expect(hasValidNinControlDigits('05076600324')).toBe(false);
  expect(isSyntheticNin('13116900216')).toBe(false);
});

test('synthetic organisation numbers have a valid control digit', () => {
  for (let n = 0; n < 100; n++) expect(hasValidOrgnrControlDigit(syntheticOrgnr(n))).toBe(true);
  expect(hasValidOrgnrControlDigit('123456789')).toBe(false);
});
