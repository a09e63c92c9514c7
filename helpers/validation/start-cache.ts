// The validators' start-up work, done once per installed package version and kept under
// node_modules/.cache/nhn-conformance: the FHIR definitions index (fhir/definitions.ts), the
// compiled JSON-schema validators per resource type (fhir/schema-layer.ts), and our OpenAPI
// documents resolved (openapi/document.ts, also keyed by their content). A read-only install
// still validates; it only pays the work every time.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The cache folder for these packages at their installed versions and this format of ours. */
export function cacheDir(name: string, packages: readonly string[], format: number): string {
  const versions = packages.map((p) => `${p.replace(/^@/, '').replace('/', '-')}-${(JSON.parse(fs.readFileSync(require.resolve(`${p}/package.json`), 'utf8')) as { version: string }).version}`);
  return path.join(path.dirname(require.resolve('ajv/package.json')), '..', '.cache', 'nhn-conformance', `${name}-${versions.join('-')}-${format}`);
}

/** Writes a cache file atomically (a concurrent reader sees the old file or the whole new one); false when it cannot. */
export function writeCache(file: string, text: string): boolean {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    return true;
  } catch {
    return false;
  }
}
