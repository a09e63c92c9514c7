// A last line of defence behind redaction: scans every artefact of a run for anything that looks
// like a token, a proof, an assertion or private key material, and for the run's known secrets.
// It opens what a reader would open: zips (certification bundles, traces), the Playwright HTML
// report's embedded zip, the single-file Allure report's embedded data, SQLite files (the monitor
// history), gzip, and base64 inside text. Finds are reported by place, never by value.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { unzipSync } from 'fflate';
import initSqlJs from 'sql.js';

const PATTERNS: Array<[string, RegExp]> = [
  ['a compact JWT (token, proof or assertion)', /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g],
  ['a PEM private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/g],
  ['a private JWK member', /"(d|p|q|dp|dq|qi)"\s*:\s*"[A-Za-z0-9_-]{20,}"/g],
];
/** Files that hold pictures or fonts: no text a reader could copy a secret from. */
const OPAQUE = /\.(png|jpe?g|gif|webp|webm|mp4|woff2?|ttf|ico)$/i;
/** Base64 runs long enough to hold a secret; decoded and scanned in turn. */
const BASE64_RUN = /[A-Za-z0-9+/]{64,}={0,2}/g;
const SIGNATURE_RUN = /[A-Za-z0-9_-]{20,}/g;
const MAX_DEPTH = 3;

export interface SecretFind {
  /** The file, and inside it the entry or table (`bundle.zip!/exchanges.jsonl`). */
  file: string;
  line: number;
  what: string;
}

export interface KnownSecrets {
  /** Values that must appear nowhere: a TTT key, a password, a webhook URL, a private key member. */
  values?: readonly string[];
  /** Whole JWTs issued or sent in the run: each is looked for by its signature, the part that makes it a credential. */
  jwts?: readonly string[];
  /** What a value or JWT is (a canary's kind), to name in a find instead of the value. */
  labels?: ReadonlyMap<string, string>;
}

export interface ScanReport {
  finds: SecretFind[];
  files: number;
  /** Entries, tables and embedded blobs opened inside files. */
  inner: number;
  bytes: number;
}

type Sql = Awaited<ReturnType<typeof initSqlJs>>;

class Scanner {
  readonly finds: SecretFind[] = [];
  inner = 0;
  bytes = 0;
  /** Known values that are runs of base64url characters (keys, passwords): looked up by run, in a set. */
  private readonly runValues: Set<string>;
  /** The rest (a URL): looked for one by one. */
  private readonly otherValues: string[];
  private readonly signatures: Set<string>;

  constructor(
    known: KnownSecrets,
    private readonly sql: Sql,
  ) {
    const values = (known.values ?? []).filter((v) => v && v.length >= 6);
    const isRun = (v: string) => /^[A-Za-z0-9_-]{20,}$/.test(v);
    this.runValues = new Set(values.filter(isRun));
    // A value may be written URL-encoded (a webhook URL in a query) or in JSON escapes.
    this.otherValues = [...new Set(values.filter((v) => !isRun(v)).flatMap((v) => [v, encodeURIComponent(v), JSON.stringify(v).slice(1, -1)]))];
    this.signatures = new Set((known.jwts ?? []).map((j) => j.split('.')[2] ?? '').filter((s) => s.length >= 20));
    for (const [value, label] of known.labels ?? []) {
      this.labels.set(value, label);
      const signature = value.split('.')[2];
      if (signature) this.labels.set(signature, label);
      this.labels.set(encodeURIComponent(value), label);
      this.labels.set(JSON.stringify(value).slice(1, -1), label);
    }
    this.lengths = [...new Set([...this.signatures, ...this.runValues].map((v) => v.length))];
    this.shortest = Math.min(...this.lengths, Infinity);
  }

  private readonly labels = new Map<string, string>();
  private named(what: string, value: string): string {
    const label = this.labels.get(value);
    return label ? `${what} (${label})` : what;
  }

  /** The distinct lengths of the run-shaped secrets, and the shortest. */
  private readonly lengths: number[];
  private readonly shortest: number;

  private find(file: string, line: number, what: string): void {
    if (!this.finds.some((f) => f.file === file && f.line === line && f.what === what)) this.finds.push({ file, line, what });
  }

  text(where: string, text: string, depth: number): void {
    this.bytes += text.length;
    for (const [what, re] of PATTERNS) for (const m of text.matchAll(re)) this.find(where, lineOfIndex(text, m.index), what);
    if (this.runValues.size || this.signatures.size) {
      for (const m of text.matchAll(SIGNATURE_RUN)) {
        // The run itself, or its ends at each known length: a secret glued to other letters
        // (after a URL-encoded byte, say) makes a longer run.
        const run = m[0];
        const candidates = run.length > this.shortest ? [run, ...this.lengths.filter((l) => l < run.length).flatMap((l) => [run.slice(0, l), run.slice(-l)])] : [run];
        const signature = candidates.find((c) => this.signatures.has(c));
        const value = signature ?? candidates.find((c) => this.runValues.has(c));
        if (signature) this.find(where, lineOfIndex(text, m.index), this.named('the signature of a token, proof or assertion of this run', signature));
        else if (value) this.find(where, lineOfIndex(text, m.index), this.named('a known secret of this run', value));
      }
    }
    for (const v of this.otherValues) {
      for (let i = text.indexOf(v); i >= 0; i = text.indexOf(v, i + v.length)) this.find(where, lineOfIndex(text, i), this.named('a known secret of this run', v));
    }
    if (depth < MAX_DEPTH) {
      // Embedded blobs are named by their offset: counting lines for each of thousands is quadratic.
      for (const m of text.matchAll(BASE64_RUN)) {
        if (m[0].length % 4 === 1) continue;
        this.blob(`${where}@${m.index}`, Buffer.from(m[0], 'base64'), depth + 1, true);
      }
    }
  }

  /** Bytes of any kind: a zip, gzip, SQLite, or text. `embedded`: decoded from base64 (skip what is not text). */
  blob(where: string, data: Uint8Array, depth: number, embedded = false): void {
    const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 3 && b[3] === 4) return this.zip(where, b, depth);
    if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
      try {
        return this.blob(`${where}!gunzip`, zlib.gunzipSync(b), depth + 1);
      } catch {
        return;
      }
    }
    if (b.subarray(0, 16).toString('latin1') === 'SQLite format 3\u0000') return this.sqlite(where, b);
    if (embedded && !looksLikeText(b)) return;
    this.inner += embedded ? 1 : 0;
    this.text(where, b.toString('utf8'), depth);
  }

  private zip(where: string, b: Buffer, depth: number): void {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(new Uint8Array(b));
    } catch {
      this.text(where, b.toString('latin1'), depth);
      return;
    }
    for (const [name, data] of Object.entries(entries)) {
      if (OPAQUE.test(name) || name.endsWith('/')) continue;
      this.inner += 1;
      this.blob(`${where}!/${name}`, data, depth + 1);
    }
  }

  private sqlite(where: string, b: Buffer): void {
    const db = new this.sql.Database(new Uint8Array(b));
    try {
      const tables = db.exec("SELECT name FROM sqlite_master WHERE type = 'table'")[0]?.values.map((r) => String(r[0])) ?? [];
      for (const table of tables) {
        this.inner += 1;
        const rows = db.exec(`SELECT * FROM "${table.replace(/"/g, '""')}"`)[0];
        if (!rows) continue;
        for (const row of rows.values) {
          for (const value of row) {
            if (typeof value === 'string') this.text(`${where}!table ${table}`, value, 1);
            else if (value instanceof Uint8Array) this.blob(`${where}!table ${table}`, value, 1, true);
          }
        }
      }
    } finally {
      db.close();
    }
  }
}

function lineOfIndex(text: string, index = 0): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function looksLikeText(b: Buffer): boolean {
  const sample = b.subarray(0, 512);
  let printable = 0;
  for (const c of sample) if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 0xc2) printable++;
  return sample.length > 0 && printable / sample.length > 0.95;
}

/** Scans every file under `dir` (recursively), opening what can be opened. */
export async function scanArtefacts(dirs: string | readonly string[], known: KnownSecrets = {}): Promise<ScanReport> {
  const scanner = new Scanner(known, await initSqlJs());
  let files = 0;
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    if (fs.statSync(d).isDirectory()) {
      for (const entry of fs.readdirSync(d, { withFileTypes: true })) if (entry.isDirectory() || (entry.isFile() && !OPAQUE.test(entry.name))) walk(path.join(d, entry.name));
      return;
    }
    files += 1;
    scanner.blob(d, fs.readFileSync(d), 0);
  };
  for (const d of [dirs].flat()) walk(d);
  return { finds: scanner.finds, files, inner: scanner.inner, bytes: scanner.bytes };
}
