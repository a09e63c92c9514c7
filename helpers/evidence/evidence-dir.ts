// Where a run's workers leave the exchanges for the evidence bundle: `<report dir>/evidence/`,
// named by NHN_EVIDENCE_DIR, which the main configuration sets and the workers inherit (the kill
// matrix and other runs leave it unset and record nothing). Each worker appends one line per test
// to a file of its own; the summary reporter joins them into one HAR at the end of the run.
import fs from 'node:fs';
import path from 'node:path';
import type { HarEntry, HarLog } from './har.ts';


export const EVIDENCE_DIR_VARIABLE = 'NHN_EVIDENCE_DIR';
export const HAR_FILE = 'exchanges.har';
export const ENVIRONMENT_FILE = 'environment.json';
const PIECES = 'pieces';

export function evidenceDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[EVIDENCE_DIR_VARIABLE] || undefined;
}

/** Empties the folder at the start of a run (global setup), so no exchange of an earlier run is mixed in. */
export function resetEvidenceDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, PIECES), { recursive: true });
}

export function appendTestExchanges(dir: string, worker: number, entries: HarEntry[]): void {
  if (!entries.length || !fs.existsSync(path.join(dir, PIECES))) return;
  fs.appendFileSync(path.join(dir, PIECES, `${worker}-${process.pid}.jsonl`), `${JSON.stringify({ count: entries.length, entries })}\n`);
}

/**
 * Joins the workers' pieces into one HAR log, each test's exchanges together in the order they
 * were sent; returns the entry count. The pieces are joined as text, not parsed again.
 */
export function joinExchanges(dir: string, creator: { name: string; version: string }): number {
  const piecesDir = path.join(dir, PIECES);
  if (!fs.existsSync(piecesDir)) return 0;
  const head: Omit<HarLog['log'], 'entries'> = { version: '1.2', creator };
  const out = fs.openSync(path.join(dir, HAR_FILE), 'w');
  fs.writeSync(out, `{"log":${JSON.stringify(head).slice(0, -1)},"entries":[\n`);
  let count = 0;
  let first = true;
  // As bytes, not text: a run's pieces are tens of megabytes, and decoding and encoding them again
  // cost the end of every run about half a second.
  const ENTRIES = Buffer.from('"entries":[');
  const COUNT = /^\{"count":(\d+)/;
  for (const file of fs.readdirSync(piecesDir).sort()) {
    const bytes = fs.readFileSync(path.join(piecesDir, file));
    for (let start = 0; start < bytes.length; ) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      if (end > start) {
        count += Number(COUNT.exec(bytes.toString('latin1', start, Math.min(end, start + 32)))?.[1] ?? 0);
        const from = bytes.indexOf(ENTRIES, start) + ENTRIES.length;
        if (!first) fs.writeSync(out, ',\n');
        fs.writeSync(out, bytes, from, end - 2 - from);
        first = false;
      }
      start = end + 1;
    }
  }
  fs.writeSync(out, '\n]}}\n');
  fs.closeSync(out);
  fs.rmSync(piecesDir, { recursive: true, force: true });
  return count;
}
