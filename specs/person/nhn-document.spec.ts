// With NHN_OPENAPI_PERSON_V2 naming NHN's published v2 document: the twin's answer to every one
// of its operations is valid against NHN's document, not only against ours. (Every answer the
// suite gets is checked against it too, by the api fixture; this spec makes sure all of them are
// asked.)
import { expect, test } from '../../fixtures/index.ts';
import { birthDate, currentName, numbers } from '../../fixtures/person.ts';
import { formatResult } from '../../helpers/validation/issues.ts';
import { nhnDocument } from '../../helpers/validation/openapi/nhn-documents.ts';
import { matchOperation } from '../../helpers/validation/openapi/document.ts';
import { validateOperationResponse } from '../../helpers/validation/openapi/validator.ts';
import { PERSON_SETTINGS } from '../../helpers/packs/person.ts';
import type { ApiResponse } from '../../helpers/http/api-client.ts';
import { people, personApi } from './common.ts';

test('the twin answers every v2 operation validly against NHN\'s published document', { tag: ['@PERSON-DOC-001'] }, async ({ api, needs, profile }) => {
  needs({ services: ['person'], twin: true, patientData: true });
  test.skip(!PERSON_SETTINGS.nhnV2.read(), 'NHN_OPENAPI_PERSON_V2 does not name NHN\'s published document');
  const nhn = (await nhnDocument('person-v2'))!.indexed;
  const { withFnr } = await people(api, profile);
  const nin = numbers(withFnr, 'NationalIdentityNumber')[0]!;
  const name = currentName(withFnr)!;
  const covered = new Set<string>();
  for (const tier of ['legal-basis', 'no-legal-basis']) {
    const v2 = personApi(api, 2, tier);
    const form = { FamilyName: String(name.familyName), BirthDate: birthDate(withFnr)! };
    const answers: Array<['GET' | 'POST', ApiResponse]> = [
      ['GET', await v2.latest()],
      ['GET', await v2.events({ sequenceNumber: '1' })],
      ['GET', await v2.byId(withFnr.id)],
      ['POST', await v2.byNin(nin)],
      ['POST', await v2.bulkByIds([withFnr.id])],
      ['POST', await v2.bulkByNins([nin])],
      ['POST', await v2.search(form)],
      ['POST', await v2.post('search/match-list', { FamilyName: form.FamilyName })],
      ['POST', await v2.pagedMatchList({ FamilyName: form.FamilyName, PageSize: '5' })],
      ['POST', await v2.matchCount({ FamilyName: form.FamilyName })],
      ['GET', await v2.byId('0'.repeat(64), { raw: true })],
    ];
    for (const [method, response] of answers) {
      const url = new URL(response.url);
      const operation = matchOperation(nhn, method, url.pathname).operation;
      expect(operation, `NHN's document has ${method} ${url.pathname}`).toBeTruthy();
      const result = validateOperationResponse(operation!, response);
      expect(result.issues.filter((i) => i.severity === 'error'), `${method} ${url.pathname} → ${response.status}:\n${formatResult(result)}`).toEqual([]);
      covered.add(`${operation!.method} ${operation!.path}`);
    }
  }
  expect(covered.size, 'every v2 operation of NHN\'s document was answered').toBe(nhn.operations.length);
});
