// The Person API twin's synthetic population, in the manner of Skatteetaten's Test-Norge
// (adjective + noun names, month + 80 numbers): fødselsnummer, D-numbers, a felles hjelpenummer
// and DUF numbers, names, addresses (some protected), statuses, deaths and history, and the event
// feed that built it. Deterministic: the same twin always holds the same people.
import { createHash } from 'node:crypto';
import { syntheticDNumber, syntheticDufNumber, syntheticFhNumber, syntheticNin } from '../../../helpers/identifiers.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const POPULATION = 640;
const NIN_BASE = 300_000;

const GIVEN = ['Vakker', 'Rask', 'Stille', 'Modig', 'Glad', 'Klok', 'Lys', 'Sterk', 'Varm', 'Kvikk', 'Rolig', 'Blid'];
const MIDDLE = ['Grønn', 'Blå', 'Gul'];
// One name far commoner than the rest, so a search can match more than 100 people.
const FAMILY = ['Blomst', 'Blomst', 'Blomst', 'Elv', 'Fjell', 'Skog', 'Strand', 'Hav', 'Eng', 'Bekk'];
const STREETS = ['Lindeveien', 'Bjørkegata', 'Furuholtet', 'Eikelunden', 'Granstien'];
const MUNICIPALITIES = [
  { number: '0301', name: 'Oslo', county: '03', countyName: 'Oslo', postalCode: '0150', city: 'Oslo' },
  { number: '4601', name: 'Bergen', county: '46', countyName: 'Vestland', postalCode: '5003', city: 'Bergen' },
  { number: '5001', name: 'Trondheim', county: '50', countyName: 'Trøndelag', postalCode: '7030', city: 'Trondheim' },
  { number: '1108', name: 'Sandnes', county: '11', countyName: 'Rogaland', postalCode: '4306', city: 'Sandnes' },
];

export interface Identifier {
  number: string;
  kind: 'NationalIdentityNumber' | 'DNumber' | 'AlternateIdentificationNumber' | 'DUF';
  current: boolean;
}

export interface PersonRecord {
  id: string;
  index: number;
  sequenceNumber: number;
  identifiers: Identifier[];
  birthDate: string;
  gender: 'Female' | 'Male';
  /** Current name last. */
  names: Array<{ givenName: string; middleName: string | null; familyName: string; from: string; to?: string }>;
  /** Current address last. */
  addresses: Array<{ street: string; houseNumber: string; municipality: (typeof MUNICIPALITIES)[number]; from: string; to?: string }>;
  protection: 'Unclassified' | 'Confidential' | 'StrictlyConfidential';
  status: 'Resident' | 'Deceased' | 'Temporary' | 'Emigrated';
  deceasedDate?: string;
  maritalStatus: 'Unmarried' | 'Married' | 'Divorced';
  spouse?: string;
  /** Parts, as the Person API names them, that hold an element no longer current. */
  history: Set<string>;
}

export interface EventRecord {
  sequenceNumber: number;
  personId: string;
  eventType: string;
  nin: string | null;
}

const iso = (date: string) => `${date}T00:00:00Z`;
const personId = (seed: string) => createHash('sha256').update(`person-api-twin:${seed}`).digest('hex');

function birthDateOf(nin: string): string {
  // Synthetic numbers: month + 80; D-numbers: day + 40; born 1950–1998 (syntheticNin's range).
  const day = Number(nin.slice(0, 2)) % 40;
  const month = Number(nin.slice(2, 4)) - 80;
  return `19${nin.slice(4, 6)}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** `stride`: the step between two events' sequence numbers (1: none missing; a dialect's feed has gaps). */
export function buildPopulation(stride = 1): { persons: PersonRecord[]; events: EventRecord[] } {
  const persons: PersonRecord[] = [];
  for (let i = 0; i < POPULATION; i++) {
    const fnr = syntheticNin(NIN_BASE + i);
    const identifiers: Identifier[] = [];
    if (i % 20 === 0) identifiers.push({ number: syntheticDNumber(NIN_BASE + i), kind: 'DNumber', current: true });
    else if (i % 50 === 2) identifiers.push({ number: syntheticFhNumber(i), kind: 'AlternateIdentificationNumber', current: true });
    else {
      // A D-number that was replaced by a fødselsnummer: the old number stays findable.
      if (i % 20 === 1) identifiers.push({ number: syntheticDNumber(NIN_BASE + i), kind: 'DNumber', current: false });
      identifiers.push({ number: fnr, kind: 'NationalIdentityNumber', current: true });
    }
    if (i % 50 === 3) identifiers.push({ number: syntheticDufNumber(i), kind: 'DUF', current: true });
    const gender = Number(fnr[8]) % 2 === 0 ? 'Female' : 'Male';
    const familyName = FAMILY[i % FAMILY.length]!;
    const current = { givenName: GIVEN[i % GIVEN.length]!, middleName: i % 4 === 0 ? MIDDLE[i % MIDDLE.length]! : null, familyName, from: '2015-06-01' };
    const names = i % 7 === 0 ? [{ givenName: current.givenName, middleName: null, familyName: `${FAMILY[(i + 3) % FAMILY.length]}dal`, from: '1990-01-01', to: '2015-06-01' }, current] : [current];
    // Most people live in Oslo, everyone called Blomst among them: one search can match more than 100.
    const municipality = MUNICIPALITIES[i % 10 < 6 ? 0 : 1 + (i % 3)]!;
    const here = { street: STREETS[i % STREETS.length]!, houseNumber: String(1 + (i % 40)), municipality, from: '2018-03-01' };
    const addresses = i % 5 === 0 ? [{ ...here, street: STREETS[(i + 1) % STREETS.length]!, houseNumber: String(2 + (i % 30)), from: '2005-01-01', to: '2018-03-01' }, here] : [here];
    const protection = i % 30 === 4 ? 'StrictlyConfidential' : i % 30 === 5 ? 'Confidential' : 'Unclassified';
    const status = i % 40 === 6 ? 'Deceased' : i % 20 === 0 || i % 50 === 2 ? 'Temporary' : i % 60 === 7 ? 'Emigrated' : 'Resident';
    const history = new Set<string>();
    if (names.length > 1) history.add('name');
    if (addresses.length > 1) history.add('residentialAddress');
    if (identifiers.some((x) => !x.current)) history.add('norwegianIdentificationNumber');
    persons.push({
      id: personId(fnr),
      index: i,
      sequenceNumber: 0,
      identifiers,
      birthDate: birthDateOf(identifiers[0]!.kind === 'AlternateIdentificationNumber' ? fnr : identifiers[0]!.number),
      gender,
      names,
      addresses,
      protection,
      status,
      ...(status === 'Deceased' ? { deceasedDate: '2023-02-14' } : {}),
      maritalStatus: i % 3 === 0 ? 'Married' : i % 11 === 0 ? 'Divorced' : 'Unmarried',
      history,
    });
  }
  for (const p of persons) if (p.maritalStatus === 'Married') p.spouse = persons[(p.index + 3) % POPULATION]!.id;

  // The feed: every person created, then the changes that gave them their history, in order.
  const events: EventRecord[] = [];
  const push = (p: PersonRecord, eventType: string) => {
    events.push({ sequenceNumber: events.length * stride + 1, personId: p.id, eventType, nin: currentNin(p) });
    p.sequenceNumber = events.at(-1)!.sequenceNumber;
  };
  for (const p of persons) push(p, 'PersonIsCreated');
  for (const p of persons) {
    push(p, 'PersonPopulated');
    if (p.history.has('name')) push(p, 'ChangeInName');
    if (p.history.has('residentialAddress')) push(p, 'ChangeInResidentialAddress');
    if (p.history.has('norwegianIdentificationNumber')) push(p, 'ChangeInNorwegianIdentificationNumber');
    if (p.protection !== 'Unclassified') push(p, 'ChangeInAddressProtection');
    if (p.status === 'Deceased') push(p, 'PersonIsDeceased');
    if (p.maritalStatus !== 'Unmarried') push(p, 'ChangeInMaritalStatus');
  }
  return { persons, events };
}

export function currentNin(p: PersonRecord): string | null {
  return p.identifiers.find((x) => x.current && x.kind !== 'DUF')?.number ?? null;
}

const meta = (current: boolean, from: string | undefined, to?: string) => ({
  registeredAt: iso(from ?? '2015-06-01'),
  isValid: current,
  source: 'Skatteetaten',
  reason: null,
  validFrom: from ? iso(from) : null,
  validTo: to ? iso(to) : null,
});

/** Every part the twin serves, by InformationPart name: the Person document's key and its elements (current ones flagged). */
export function parts(p: PersonRecord): Record<string, { key: string; elements: Array<{ current: boolean; value: Json }> } | { key: string; object: Json | null }> {
  const created = '2015-06-01';
  const nins = p.identifiers.filter((x) => x.kind !== 'DUF');
  const duf = p.identifiers.filter((x) => x.kind === 'DUF');
  return {
    Name: {
      key: 'name',
      elements: p.names.map((n) => ({ current: !n.to, value: { ...meta(!n.to, n.from, n.to), givenName: n.givenName, middleName: n.middleName, familyName: n.familyName, shortName: `${n.familyName} ${n.givenName}`, originalName: null } })),
    },
    Gender: { key: 'gender', elements: [{ current: true, value: { ...meta(true, created), gender: p.gender } }] },
    Birth: {
      key: 'birth',
      elements: [{ current: true, value: { ...meta(true, created), birthDate: iso(p.birthDate), birthYear: p.birthDate.slice(0, 4), birthPlace: null, birthMunicipalityNumber: '0301', birthMunicipalityName: 'Oslo', birthCountyNumber: '03', birthCountyName: 'Oslo', birthCountry: 'NOR' } }],
    },
    NorwegianIdentificationNumber: {
      key: 'norwegianIdentificationNumber',
      elements: nins.map((x) => ({ current: x.current, value: { ...meta(x.current, created), status: x.current ? 'InUse' : 'Discontinued', identificationNumber: x.number, identificationNumberType: x.kind } })),
    },
    ImmigrationAuthoritiesIdentificationNumber: {
      key: 'immigrationAuthoritiesIdentificationNumber',
      elements: duf.map((x) => ({ current: true, value: { ...meta(true, created), identificationNumber: x.number, identificationNumberType: 'DUF', issuerCountry: 'NOR' } })),
    },
    Status: { key: 'status', elements: [{ current: true, value: { ...meta(true, created), status: p.status } }] },
    AddressProtection: { key: 'addressProtection', elements: p.protection === 'Unclassified' ? [] : [{ current: true, value: { ...meta(true, '2020-01-01'), protectionLevel: p.protection } }] },
    ResidentialAddress: {
      key: 'residentialAddress',
      // A strictly confidential address is never given out; the register answers the person without it.
      elements:
        p.protection === 'StrictlyConfidential'
          ? []
          : p.addresses.map((a) => ({
              current: !a.to,
              value: {
                ...meta(!a.to, a.from, a.to),
                streetAddress: {
                  municipalityNumber: a.municipality.number,
                  municipalityName: a.municipality.name,
                  countyNumber: a.municipality.county,
                  countyName: a.municipality.countyName,
                  separatelyOccupiedUnitNumber: 'H0101',
                  separatelyOccupiedUnitType: 'Housing',
                  addressName: a.street,
                  addressNumber: { houseNumber: a.houseNumber, houseLetter: null },
                  addressCode: null,
                  addressAdditionalName: null,
                  city: { cityName: a.municipality.city, postalCode: a.municipality.postalCode },
                  coAddressName: null,
                },
                cadastralAddress: null,
                unknownResidence: null,
                cadastralIdentifier: null,
                closeCadastralIdentifier: null,
                addressConfidentiality: p.protection,
                moveDate: iso(a.from),
                basicStatisticalUnit: null,
                fullBasicStatisticalUnitNumber: null,
                basicStatisticalUnitName: null,
                constituency: null,
                schoolDistrict: null,
                churchDistrict: null,
                urbanDistrictCode: null,
                urbanDistrictName: null,
                geographicalUrbanDistrictCode: null,
                geographicalUrbanDistrictName: null,
              },
            })),
    },
    Death: { key: 'death', object: p.deceasedDate ? { ...meta(true, p.deceasedDate), deceasedDate: iso(p.deceasedDate) } : null },
    MaritalStatus: {
      key: 'maritalStatus',
      elements: [{ current: true, value: { ...meta(true, created), status: p.maritalStatus, statusDate: iso('2012-05-05'), authority: null, municipalityNumber: null, municipalityName: null, countyNumber: null, countyName: null, place: null, abroad: null, relatedByMaritalStatus: p.spouse ?? null } }],
    },
    Citizenship: { key: 'citizenship', elements: [{ current: true, value: { ...meta(true, created), countryCode: 'NOR', aquiredDate: iso(p.birthDate) } }] },
    FamilyRelation: {
      key: 'familyRelation',
      elements: p.spouse ? [{ current: true, value: { ...meta(true, created), relatedPerson: p.spouse, relatedPersonWithoutIdentifier: null, relatedPersonsRole: 'SpouseOrPartner', myRoleForRelatedPerson: 'SpouseOrPartner' } }] : [],
    },
  };
}
