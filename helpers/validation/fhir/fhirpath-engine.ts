// fhirpath, loaded when an invariant first needs it: most resources are decided by the native
// invariants, and loading the engine and its model costs a command-line call about 100 ms.
import { createRequire } from 'node:module';
import type Fhirpath from 'fhirpath';

const require = createRequire(import.meta.url);

type Engine = typeof Fhirpath;
type Model = Parameters<Engine['compile']>[1];

let engine: Engine | undefined;
const models = new Map<string, Model>();

export function fhirpath(): Engine {
  return (engine ??= require('fhirpath') as Engine);
}

/** The fhirpath model of a FHIR version (r4, r5). */
export function fhirModel(version: 'r4' | 'r5'): Model {
  let m = models.get(version);
  if (!m) {
    m = require(`fhirpath/fhir-context/${version}/index.js`) as Model;
    models.set(version, m);
  }
  return m;
}
