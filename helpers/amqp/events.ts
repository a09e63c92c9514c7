// PaRek's event schema, read from our AsyncAPI document (schemas/events/), and a validator for
// each event the suite receives.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

export const SPECIMEN_EVENTS_DOCUMENT = path.resolve(import.meta.dirname, '../../schemas/events/parek-specimen-collected.asyncapi.yaml');

let validator: ((event: unknown) => string[]) | undefined;

/** The problems of an event against the SpecimenCollected payload schema; empty when it conforms. */
export function specimenEventProblems(event: unknown): string[] {
  if (!validator) {
    const doc = YAML.parse(fs.readFileSync(SPECIMEN_EVENTS_DOCUMENT, 'utf8')) as { components: { schemas: Record<string, object> } };
    const ajv = new Ajv({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    const validate = ajv.compile(doc.components.schemas.SpecimenCollected!);
    validator = (e) => (validate(e) ? [] : (validate.errors ?? []).map((x) => `${x.instancePath || '(event)'} ${x.message ?? 'is invalid'}`));
  }
  return validator(event);
}
