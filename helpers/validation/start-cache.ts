// The validators' start-up work, done once per installed package version and kept under
// node_modules/.cache/nhn-conformance: the FHIR definitions index (fhir/definitions.ts), the
// compiled JSON-schema validators per resource type (fhir/schema-layer.ts), and, keyed by their
// content too, our OpenAPI documents resolved (openapi/document.ts) and the requirement catalogue
// parsed (requirements/catalogue.ts). A read-only install still validates; it only pays the work
// every time.
import { createHash } from 'node:crypto';
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

/** A short hash of some content, for a cache key. */
export function contentDigest(...parts: ReadonlyArray<string | Buffer>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/**
 * A JSON value derived from source files, cached in `folder` under `id` and the sources' `digest`.
 * One version per id is kept: writing a new one removes the earlier ones.
 */
export function cachedDerivation<T>(folder: string, id: string, digest: string, derive: () => T): T {
  const file = path.join(folder, `${id}-${digest}.json`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    // Not cached yet, or unreadable: derive it, and cache it if the folder is writable.
  }
  const value = derive();
  if (writeCache(file, JSON.stringify(value))) {
    // Exactly this id with another digest: `person` must not take `person-v2`'s entries with it.
    const sameId = (name: string) => name.startsWith(`${id}-`) && /^[0-9a-f]{16}\.json$/.test(name.slice(id.length + 1));
    for (const old of fs.readdirSync(folder)) if (sameId(old) && old !== path.basename(file)) fs.rmSync(path.join(folder, old), { force: true });
  }
  return value;
}
