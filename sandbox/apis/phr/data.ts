// The PHR twin's document registry: NHN's named test patients (seed 001, facts §4.4 and §8.4),
// each with documents in every kjernejournalforskriften category at ages on both sides of the
// category's window, some NORS-restricted and some superseded, and the bytes ITI-68 returns:
// PDF, CDA XML, and a CDA wrapping a base64 PDF. Dates are relative to the twin's start, so the
// windows hold whenever the twin runs. Deterministic: the same documents on every start.
import { createHash } from 'node:crypto';
import { NHN_TEST_PERSONS, OID } from '../../../helpers/identifiers.ts';

// NHN names the category codes (A00-1 …) but not their code systems: every system URI here is
// our assumption, recorded in phr.openapi.yaml.
export const CATEGORY_SYSTEM = 'urn:oid:2.16.578.1.12.4.1.1.9602';
export const CATEGORY_NAMES: Readonly<Record<string, string>> = {
  'A00-1': 'Epikriser og sammenfatninger',
  'C00-1': 'Prøvesvar, vev og vesker',
  'D00-1': 'Organfunksjon',
  'E00-1': 'Bildediagnostikk',
  'I00-1': 'Korrespondanse',
};
export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
/** The security label of a document the patient has restricted (NORS): withheld and counted. */
export const NORS_LABEL = { system: 'urn:oid:2.16.578.1.12.4.1.1.9603', code: 'NORS' } as const;
export const TYPE_SYSTEM = 'urn:oid:2.16.578.1.12.4.1.1.9602.1';
export const FORMAT_SYSTEM = 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode';
export const FACILITY_SYSTEM = 'urn:oid:2.16.578.1.12.4.1.1.8663';
export const SETTING_SYSTEM = 'urn:oid:2.16.578.1.12.4.1.1.8451';
export const EVENT_SYSTEM = 'urn:oid:2.16.578.1.12.4.1.1.7010';
export const HOME_COMMUNITY = 'urn:oid:2.16.578.1.12.4.5.100.1';
export const REPOSITORY = '2.16.578.1.12.4.5.100.1.2';

const DAY = 86_400_000;

export interface Author {
  given: string;
  family: string;
  hpr: string;
}

export interface PhrDocument {
  uniqueId: string;
  entryUuid: string;
  nin: string;
  status: 'current' | 'superseded';
  category: string;
  type: { code: string; display: string };
  format: { code: string; display: string };
  facility: string;
  setting: string;
  event: string;
  confidentiality: 'N' | 'R' | 'NORS';
  /** DocumentReference.date (ms). */
  date: number;
  /** context.period (ms). */
  period: { start: number; end: number };
  /** attachment.creation (ms). */
  creation: number;
  author: Author;
  title: string;
  contentType: string;
  bytes: Buffer;
  /** Other identifiers (context.related), e.g. the referral this answers. */
  related: string;
}

const AUTHORS: Author[] = [
  { given: 'Grønn', family: 'Vits', hpr: '565501872' },
  { given: 'Kvart', family: 'Grevling', hpr: '565505933' },
  { given: 'Virkelig', family: 'Kjeltring', hpr: '565512796' },
];

const TYPES: Record<string, { code: string; display: string }> = {
  'A00-1': { code: 'A01-1', display: 'Epikrise' },
  'C00-1': { code: 'C01-1', display: 'Prøvesvar medisinsk biokjemi' },
  'D00-1': { code: 'D02-1', display: 'Spirometri' },
  'E00-1': { code: 'E01-1', display: 'Radiologisvar' },
  'I00-1': { code: 'I01-1', display: 'Henvisning' },
};

/** Ages (in days before the twin's start) on both sides of every window: 1 year and 5 years. */
const AGES_DAYS = [30, 330, 400, 1_790, 1_860, 3_650];

/** A small, valid one-page PDF whose text names the document. */
function pdf(text: string): Buffer {
  const stream = `BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A CDA ClinicalDocument; with `embedPdf`, its nonXMLBody carries a base64 PDF. */
function cda(doc: { uniqueId: string; title: string; nin: string; date: number }, embedPdf?: Buffer): Buffer {
  const body = embedPdf
    ? `<component><nonXMLBody><text mediaType="application/pdf" representation="B64">${embedPdf.toString('base64')}</text></nonXMLBody></component>`
    : `<component><structuredBody><component><section><title>${doc.title}</title><text>Syntetisk testdokument.</text></section></component></structuredBody></component>`;
  const when = new Date(doc.date).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="${doc.uniqueId}"/><title>${doc.title}</title><effectiveTime value="${when}"/>` +
      `<recordTarget><patientRole><id extension="${doc.nin}" root="2.16.578.1.12.4.1.4.1"/></patientRole></recordTarget>${body}</ClinicalDocument>\n`,
    'utf8',
  );
}

export const sha1Base64 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('base64');

/** Every test patient's documents, dated relative to `now`. */
export function seedDocuments(now: number): PhrDocument[] {
  const docs: PhrDocument[] = [];
  const patients = ['13116900216', '12119000465', '15076500565', '23077200290'];
  patients.forEach((nin, p) => {
    let n = 0;
    for (const category of Object.keys(CATEGORY_NAMES)) {
      AGES_DAYS.forEach((age, a) => {
        n += 1;
        const serial = p * 1000 + n;
        const date = now - age * DAY - (serial % 17) * 3_600_000;
        const author = AUTHORS[(p + a) % AUTHORS.length]!;
        // Each kind of content in every category: PDF, CDA XML, CDA wrapping a PDF.
        const kind = (p + a) % 3;
        const uniqueId = `2.16.578.1.12.4.5.100.1.3.${serial}`;
        const title = nin === '13116900216' && category === 'I00-1' && a === 0 ? 'Brev - test CDA.pdf' : `${TYPES[category]!.display} ${serial}`;
        const base = { uniqueId, title, nin, date };
        const bytes = kind === 0 ? pdf(`${title} - ${NHN_TEST_PERSONS[nin]}`) : kind === 1 ? cda(base) : cda(base, pdf(title));
        docs.push({
          uniqueId,
          entryUuid: `urn:uuid:00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
          nin,
          // One superseded and one NORS-restricted document per patient and category.
          status: a === 2 ? 'superseded' : 'current',
          category,
          type: TYPES[category]!,
          format: kind === 0 ? { code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient', display: 'mimeType Sufficient' } : { code: 'urn:no:kith:xmlstds:cda', display: 'CDA' },
          facility: a % 2 ? '86' : '11',
          setting: a % 2 ? '1' : '4',
          event: `T${a + 1}`,
          confidentiality: a === 1 ? 'NORS' : a === 3 ? 'R' : 'N',
          date,
          period: { start: date - 2 * DAY, end: date - DAY },
          creation: date - 3_600_000,
          author,
          title,
          contentType: kind === 0 ? 'application/pdf' : 'application/xml',
          bytes,
          related: `urn:oid:2.16.578.1.12.4.5.100.1.4|REF-${serial}`,
        });
      });
    }
  });
  return docs;
}

export const PATIENT_SYSTEM = OID.fnr;

/** The k-th document to arrive for the twin's arrivals patient (PHR_ARRIVALS), at `at`. */
export function arrivedDocument(nin: string, k: number, at: number): PhrDocument {
  const serial = 900_000 + k;
  const uniqueId = `2.16.578.1.12.4.5.100.1.3.${serial}`;
  const title = `Epikrise fra annen virksomhet ${k}`;
  return {
    uniqueId,
    entryUuid: `urn:uuid:00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    nin,
    status: 'current',
    category: 'A00-1',
    type: TYPES['A00-1']!,
    format: { code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient', display: 'mimeType Sufficient' },
    facility: '11',
    setting: '4',
    event: 'T1',
    confidentiality: 'N',
    date: at,
    period: { start: at - DAY, end: at },
    creation: at,
    author: AUTHORS[k % AUTHORS.length]!,
    title,
    contentType: 'application/pdf',
    bytes: pdf(title),
    related: `urn:oid:2.16.578.1.12.4.5.100.1.4|REF-${serial}`,
  };
}
