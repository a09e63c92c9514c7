// What the Person specs share: a client per version and tier, the people they look up, and the
// shape of the API's errors (ProblemDetails as application/json; 401 and 403 without a body).
import { expect, type SuiteFixtures } from '../../fixtures/index.ts';
import { knownPeople, PersonApi, tierScope } from '../../fixtures/person.ts';
import type { ApiResponse } from '../../helpers/http/api-client.ts';
import type { Profile } from '../../helpers/config/profiles.ts';
import type { PersonVersion } from '../../helpers/packs/person.ts';
import { inconclusive } from '../../helpers/evidence/verdicts.ts';
import { preview } from '../../helpers/http/client.ts';

/** The routes every lookup spec runs on: v2 with legal basis, v3 with full access. */
export const ROUTES: ReadonlyArray<readonly [PersonVersion, string]> = [
  [2, 'legal-basis'],
  [3, 'full-access'],
];

/** A client for one version and tier, with the scope that tier demands (unless `scopes` says otherwise). */
export function personApi(api: SuiteFixtures['api'], version: PersonVersion, tier: string, o: { scopes?: string[]; role?: 'default' | 'noOrgnrParent' } = {}): PersonApi {
  return new PersonApi(api('person', 'dpop', { scopes: o.scopes ?? [tierScope(version, tier)], role: o.role }), version, tier);
}

export function people(api: SuiteFixtures['api'], profile: Profile) {
  return knownPeople(personApi(api, 3, 'full-access'), `${profile.name} ${profile.twinInstance() ?? ''}`);
}

export function expectProblem(response: ApiResponse, status: number, what: string): void {
  expect(response.status, `${what}: answered ${response.status} ${preview(response.body, 200)}`).toBe(status);
  expect(response, 'the Person API documents its ProblemDetails as application/json').toBeProblemDetails({ mediaTypes: ['application/json'] });
}

export function expectBodilessRefusal(response: ApiResponse, status: 401 | 403, what: string): void {
  expect(response.status, `${what}: answered ${response.status}`).toBe(status);
  expect(response.body.length, `the Person API documents ${status} without a body; got "${preview(response.body, 120)}"`).toBe(0);
}

/**
 * A person the test needs. The twin always has one, so there its absence fails; elsewhere (Test-Norge)
 * the test is inconclusive: the data did not let it exercise the rule.
 */
export function needPerson<T>(person: T | undefined, what: string, profile: Profile): T {
  if (person === undefined) {
    if (profile.twinInstance()) expect(person, `the twin has ${what}`).toBeDefined();
    inconclusive(`none of the persons the event feed names has ${what}`);
  }
  return person!;
}
