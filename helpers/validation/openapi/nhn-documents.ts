// NHN's own published OpenAPI documents, when the user names them (a file or a URL in the
// variable the pack declares, e.g. NHN_OPENAPI_PERSON_V2). With one named, every answer the suite
// gets on an operation NHN's document describes is also validated against it, and the agreement
// of our document with NHN's is tested. Nothing of NHN's is stored in the project.
import fs from 'node:fs';
import { parse } from 'yaml';
import { ConfigurationError, type Setting } from '../../config/settings.ts';
import { SERVICES, type ServiceDescriptor } from '../../packs/index.ts';
import { indexDocument, type LoadedDocument } from './document.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Our document name → the setting that names NHN's published document for the same API. */
export const NHN_DOCUMENTS: ReadonlyMap<string, Setting<string | undefined>> = new Map(
  Object.values(SERVICES as Record<string, ServiceDescriptor>).flatMap((s) => Object.entries(s.nhnDocuments ?? {})),
);

/** Reads a document from a file or an http(s) URL; a failure names the variable it came from. */
export async function readDocumentSource(source: string, variable: string): Promise<Json> {
  let text: string;
  try {
    if (/^https?:\/\//i.test(source)) {
      const response = await fetch(source, { signal: AbortSignal.timeout(15_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      text = await response.text();
    } else {
      text = fs.readFileSync(source, 'utf8');
    }
  } catch (e) {
    throw new ConfigurationError(`${variable}: could not read ${source} (${(e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ConfigurationError(`${variable}: ${source} is not YAML or JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (!doc || typeof doc !== 'object' || !('paths' in doc)) throw new ConfigurationError(`${variable}: ${source} is not an OpenAPI document (no paths)`);
  return doc as Json;
}

const loaded = new Map<string, Promise<{ raw: Json; indexed: LoadedDocument } | undefined>>();

/** NHN's published document for one of ours, or undefined when its variable is unset. */
export function nhnDocument(ours: string, env: NodeJS.ProcessEnv = process.env): Promise<{ raw: Json; indexed: LoadedDocument } | undefined> {
  const setting = NHN_DOCUMENTS.get(ours);
  const source = setting?.read(env);
  if (!setting || !source) return Promise.resolve(undefined);
  const key = `${ours} ${source}`;
  let p = loaded.get(key);
  if (!p) {
    p = readDocumentSource(source, setting.env).then((raw) => ({ raw, indexed: indexDocument(`NHN's ${ours}`, source, raw) }));
    loaded.set(key, p);
  }
  return p;
}

/** Every NHN document the user has named, by our document's name. */
export async function namedNhnDocuments(env: NodeJS.ProcessEnv = process.env): Promise<Map<string, LoadedDocument>> {
  const out = new Map<string, LoadedDocument>();
  for (const ours of NHN_DOCUMENTS.keys()) {
    const d = await nhnDocument(ours, env);
    if (d) out.set(ours, d.indexed);
  }
  return out;
}
