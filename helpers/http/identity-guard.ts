// Only synthetic people leave the suite. Every path that sends something a person could be
// named in (the API client, the test-token service, a login, the fuzzer) asks here first: an
// 11-digit number with valid control digits that carries no synthetic month mark and is not
// one of NHN's named test persons could be a real person's, and is refused before sending,
// without being repeated in the refusal.
import { hasValidNinControlDigits, isTestPersonNin } from '../identifiers.ts';
import { GuardError } from './errors.ts';

/**
 * The identity numbers in a text: runs of 11 digits on their own with valid control digits. Digits
 * inside a hex string (a UUID's last group, a hash) are not a person.
 */
export function identityNumbers(text: string): string[] {
  return [...text.matchAll(/(?<![\dA-Za-z])\d{11}(?![\dA-Za-z])/g)].map(([n]) => n).filter(hasValidNinControlDigits);
}

/** The first number in these texts that could be a real person's, if any. */
export function realLookingNin(texts: Iterable<string>): string | undefined {
  for (const text of texts) {
    const found = identityNumbers(text).find((nin) => !isTestPersonNin(nin));
    if (found) return found;
  }
  return undefined;
}

export const SYNTHETIC_RULE = "only synthetic numbers (month + 80 or month + 65, D-numbers and felles hjelpenummer with the same mark) and NHN's named test persons are sent";

/** Refuses, before sending, what carries a real-looking national identity number. `where` names the request, never the number. */
export function guardSyntheticPeople(where: string, texts: Iterable<string>): void {
  if (realLookingNin(texts) !== undefined) {
    throw new GuardError(`${where} carries an 11-digit number that looks like a real national identity number (not repeated here); ${SYNTHETIC_RULE}`);
  }
}
