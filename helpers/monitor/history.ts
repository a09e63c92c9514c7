// The monitor's memory: an embedded SQLite database (sql.js, SQLite compiled to WebAssembly, so
// nothing native is built or downloaded) at reports/monitor/history.sqlite unless
// NHN_MONITOR_HISTORY says otherwise. The schema is versioned: each migration runs once, in
// order, and is recorded with the time it ran; PRAGMA user_version holds the latest.
import fs from 'node:fs';
import path from 'node:path';
import initSqlJs, { type Database, type SqlValue } from 'sql.js';
import { retemplated } from './routes.ts';

/** Each entry is one schema version; never edit one that has shipped, add the next. */
export const MIGRATIONS: readonly string[] = [
  // 1: runs and what each found.
  `CREATE TABLE runs (
     id INTEGER PRIMARY KEY, profile TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT NOT NULL,
     status TEXT NOT NULL, reason TEXT, suite_version TEXT, suite_commit TEXT, targets TEXT, report TEXT,
     wall_ms INTEGER, tests INTEGER, passed INTEGER, failed INTEGER, warned INTEGER, inconclusive INTEGER,
     skipped INTEGER, flaky INTEGER, over_budget INTEGER);
   CREATE TABLE test_results (
     run_id INTEGER NOT NULL REFERENCES runs(id), test_key TEXT NOT NULL, title TEXT NOT NULL, api TEXT,
     verdict TEXT NOT NULL, failure_class TEXT, message TEXT, flaky INTEGER NOT NULL DEFAULT 0,
     first_failure TEXT, duration_ms INTEGER, PRIMARY KEY (run_id, test_key));
   CREATE TABLE requirement_results (
     run_id INTEGER NOT NULL REFERENCES runs(id), requirement TEXT NOT NULL, api TEXT, level TEXT,
     verdict TEXT NOT NULL, PRIMARY KEY (run_id, requirement));
   CREATE TABLE api_results (
     run_id INTEGER NOT NULL REFERENCES runs(id), api TEXT NOT NULL, passed INTEGER, failed INTEGER,
     warned INTEGER, inconclusive INTEGER, skipped INTEGER, PRIMARY KEY (run_id, api));
   CREATE TABLE latency (
     run_id INTEGER NOT NULL REFERENCES runs(id), endpoint TEXT NOT NULL, samples INTEGER NOT NULL,
     p50_ms REAL, p95_ms REAL, max_ms REAL, budget_ms REAL, budget_rule TEXT, over_budget INTEGER,
     PRIMARY KEY (run_id, endpoint));`,
  // 2: checks (a requirement, a test without one, an endpoint's budget) and the alerts about them.
  `CREATE TABLE checks (
     run_id INTEGER NOT NULL REFERENCES runs(id), check_key TEXT NOT NULL, api TEXT, requirement TEXT,
     level TEXT, state TEXT NOT NULL, failure_class TEXT, detail TEXT, PRIMARY KEY (run_id, check_key));
   CREATE INDEX checks_by_key ON checks (check_key, run_id);
   CREATE TABLE alerts (
     id INTEGER PRIMARY KEY, run_id INTEGER REFERENCES runs(id), profile TEXT NOT NULL, at TEXT NOT NULL,
     check_key TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL, delivered INTEGER NOT NULL,
     attempts INTEGER NOT NULL, suppressed TEXT, error TEXT);
   CREATE INDEX alerts_by_check ON alerts (profile, check_key, id);`,
  // 3: the drift sentinel's fingerprints, the documents they hash (kept once each) and what changed.
  `CREATE TABLE fingerprints (
     id INTEGER PRIMARY KEY, run_id INTEGER REFERENCES runs(id), profile TEXT NOT NULL, taken_at TEXT NOT NULL,
     subject TEXT NOT NULL, url TEXT NOT NULL, sha256 TEXT, facts TEXT, error TEXT);
   CREATE INDEX fingerprints_by_subject ON fingerprints (profile, subject, url, id);
   CREATE TABLE documents (sha256 TEXT PRIMARY KEY, body TEXT NOT NULL);
   CREATE TABLE drift_events (
     id INTEGER PRIMARY KEY, run_id INTEGER REFERENCES runs(id), profile TEXT NOT NULL, at TEXT NOT NULL,
     subject TEXT NOT NULL, url TEXT NOT NULL, kind TEXT NOT NULL, summary TEXT NOT NULL, diff TEXT);`,
  // 4: deviations from assumptions, counted per run and API, and each one with what was expected and seen.
  // and the folder each run's reports were kept in (reports/runs/<id>).
  `ALTER TABLE runs ADD COLUMN deviates INTEGER;
   ALTER TABLE runs ADD COLUMN run_folder TEXT;
   ALTER TABLE api_results ADD COLUMN deviates INTEGER;
   CREATE TABLE deviations (
     run_id INTEGER NOT NULL REFERENCES runs(id), test_key TEXT NOT NULL, point TEXT NOT NULL, variant TEXT NOT NULL,
     expected TEXT, seen TEXT);
   CREATE INDEX deviations_by_point ON deviations (point, run_id);`,
  // 5: retention (retention.ts). Past the detail window a run keeps its row and its day's
  // aggregates per API, requirement and endpoint; its per-test, per-check and per-endpoint rows go.
  `ALTER TABLE runs ADD COLUMN detail_dropped INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX runs_by_profile_end ON runs (profile, ended_at);
   CREATE TABLE daily_api (
     profile TEXT NOT NULL, day TEXT NOT NULL, api TEXT NOT NULL, runs INTEGER NOT NULL, passed INTEGER, failed INTEGER,
     warned INTEGER, deviates INTEGER, inconclusive INTEGER, skipped INTEGER, PRIMARY KEY (profile, day, api));
   CREATE TABLE daily_requirement (
     profile TEXT NOT NULL, day TEXT NOT NULL, requirement TEXT NOT NULL, api TEXT, level TEXT, runs INTEGER NOT NULL,
     failed_runs INTEGER NOT NULL, PRIMARY KEY (profile, day, requirement));
   CREATE TABLE daily_endpoint (
     profile TEXT NOT NULL, day TEXT NOT NULL, endpoint TEXT NOT NULL, runs INTEGER NOT NULL, samples INTEGER,
     p95_max_ms REAL, p95_sum_ms REAL, budget_ms REAL, over_budget_runs INTEGER, PRIMARY KEY (profile, day, endpoint));`,
  // 6: endpoints recorded before they were route templates (a login's /connect/authorize/<id>
  // each its own) become their templates, merged per run (routes.ts, nhn_route).
  `CREATE TEMP TABLE latency_merged AS
     SELECT run_id, nhn_route(endpoint) AS endpoint, SUM(samples) AS samples, MAX(p50_ms) AS p50_ms, MAX(p95_ms) AS p95_ms,
            MAX(max_ms) AS max_ms, MAX(budget_ms) AS budget_ms, MAX(budget_rule) AS budget_rule, MAX(over_budget) AS over_budget
     FROM latency GROUP BY run_id, nhn_route(endpoint);
   DELETE FROM latency;
   INSERT INTO latency (run_id, endpoint, samples, p50_ms, p95_ms, max_ms, budget_ms, budget_rule, over_budget) SELECT * FROM latency_merged;
   DROP TABLE latency_merged;
   CREATE TEMP TABLE checks_merged AS
     SELECT run_id, 'latency:' || nhn_route(substr(check_key, 9)) AS check_key, MAX(api) AS api, MAX(requirement) AS requirement, MAX(level) AS level,
            CASE WHEN SUM(state = 'degraded') > 0 THEN 'degraded' ELSE MAX(state) END AS state, MAX(failure_class) AS failure_class, MAX(detail) AS detail
     FROM checks WHERE check_key LIKE 'latency:%' GROUP BY run_id, 'latency:' || nhn_route(substr(check_key, 9));
   DELETE FROM checks WHERE check_key LIKE 'latency:%';
   INSERT INTO checks (run_id, check_key, api, requirement, level, state, failure_class, detail) SELECT * FROM checks_merged;
   DROP TABLE checks_merged;`,
];

export type Row = Record<string, SqlValue>;

export class History {
  private constructor(
    private readonly db: Database,
    readonly file: string,
  ) {}

  static async open(file: string): Promise<History> {
    const SQL = await initSqlJs();
    const db = fs.existsSync(file) ? new SQL.Database(fs.readFileSync(file)) : new SQL.Database();
    // Migration 6 re-keys endpoints recorded before they were route templates.
    db.create_function('nhn_route', (endpoint: string) => retemplated(String(endpoint)));
    const history = new History(db, file);
    history.migrate();
    return history;
  }

  /** The schema version this database is at. */
  get version(): number {
    return Number(this.db.exec('PRAGMA user_version')[0]?.values[0]?.[0] ?? 0);
  }

  private migrate(): void {
    this.db.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (let v = this.version + 1; v <= MIGRATIONS.length; v++) {
      this.db.run('BEGIN');
      try {
        this.db.run(MIGRATIONS[v - 1]!);
        this.db.run('INSERT INTO schema_migrations VALUES (?, ?)', [v, new Date().toISOString()]);
        this.db.run(`PRAGMA user_version = ${v}`);
        this.db.run('COMMIT');
      } catch (e) {
        this.db.run('ROLLBACK');
        throw new Error(`${this.file}: schema migration ${v} failed: ${(e as Error).message}`);
      }
    }
    if (this.version > MIGRATIONS.length) throw new Error(`${this.file} is at schema version ${this.version}, newer than this suite knows (${MIGRATIONS.length}); use a newer suite`);
  }

  all(sql: string, params: SqlValue[] = []): Row[] {
    const stmt = this.db.prepare(sql);
    try {
      stmt.bind(params);
      const rows: Row[] = [];
      while (stmt.step()) rows.push(stmt.getAsObject());
      return rows;
    } finally {
      stmt.free();
    }
  }

  one(sql: string, params: SqlValue[] = []): Row | undefined {
    return this.all(sql, params)[0];
  }

  run(sql: string, params: SqlValue[] = []): number {
    this.db.run(sql, params);
    return Number(this.db.exec('SELECT last_insert_rowid()')[0]?.values[0]?.[0] ?? 0);
  }

  insert(table: string, row: Record<string, SqlValue | undefined>): number {
    const keys = Object.keys(row).filter((k) => row[k] !== undefined);
    return this.run(`INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`, keys.map((k) => row[k] as SqlValue));
  }

  transaction<T>(work: () => T): T {
    this.db.run('BEGIN');
    try {
      const out = work();
      this.db.run('COMMIT');
      return out;
    } catch (e) {
      this.db.run('ROLLBACK');
      throw e;
    }
  }

  /** Gives the pages of deleted rows back (after retention), so that the file shrinks. */
  vacuum(): void {
    this.db.run('VACUUM');
  }

  /** Writes the database to its file (a whole new file, renamed over the old one). */
  save(): number {
    const data = this.db.export();
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    return data.byteLength;
  }

  close(): void {
    this.db.close();
  }
}
