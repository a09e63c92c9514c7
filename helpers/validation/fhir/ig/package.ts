// Reading an implementation guide's conformance resources from a folder (an unpacked FHIR
// package, or a published build's JSON files), and the rule data derived from them that the
// project keeps under schemas/fhir/ig/. The folder is read only by `npm run ig:rules` and the
// test that checks our data against it; everything else reads the derived data.
import fs from 'node:fs';
import path from 'node:path';
import { deriveIgRules, type IgRules } from './rules.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Where the derived rule data lives. */
export const IG_RULES_DIR = path.resolve(import.meta.dirname, '../../../../schemas/fhir/ig');

export const igRulesFile = (name: string, version: string, dir = IG_RULES_DIR) => path.join(dir, `${name}-${version}.rules.json`);

/** Every JSON resource of the folder (a `package/` subfolder is read when there is one), and its manifest. */
export function readIgFolder(dir: string): { resources: Json[]; manifest: Json } {
  const root = fs.existsSync(path.join(dir, 'package', 'package.json')) ? path.join(dir, 'package') : dir;
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`${dir} is not a folder`);
  const read = (file: string): Json => {
    const text = fs.readFileSync(path.join(root, file), 'utf8').replace(/^\uFEFF/, '');
    try {
      return JSON.parse(text) as Json;
    } catch (e) {
      throw new Error(`${path.join(root, file)} is not JSON: ${(e as Error).message}`);
    }
  };
  const files = fs.readdirSync(root).filter((f) => f.endsWith('.json')).sort();
  const manifestFile = files.find((f) => f === 'package.json') ?? files.find((f) => f === 'package.manifest.json');
  if (!manifestFile) throw new Error(`${root} has neither package.json nor package.manifest.json: name the folder of an unpacked FHIR package or a published build`);
  const resources = files.filter((f) => f !== manifestFile && !f.startsWith('.')).map(read).filter((r) => typeof r.resourceType === 'string');
  return { resources, manifest: read(manifestFile) };
}

export function deriveFromFolder(dir: string): IgRules {
  const { resources, manifest } = readIgFolder(dir);
  return deriveIgRules(resources, manifest);
}

/** The derived rule data in the project, every pinned guide. */
export function loadIgRules(dir = IG_RULES_DIR): IgRules[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.rules.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as IgRules);
}

/** The data as the file holds it: stable order and a trailing newline, so regenerating changes nothing. */
export const formatIgRules = (rules: IgRules) => `${JSON.stringify(rules, null, 2)}\n`;
