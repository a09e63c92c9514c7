// The monitor's memory. By default an embedded SQLite database (sql.js, SQLite compiled to
// WebAssembly, so nothing native is built or downloaded) at reports/monitor/history.sqlite; for a
// team that outgrows one machine, a PostgreSQL database (node-postgres, pure JavaScript), chosen by
// giving NHN_MONITOR_HISTORY (or --history) a postgres:// URL. Both hold the same schema, versioned:
// each migration runs once, in order, and is recorded with the time it ran. The history is used
// through one asynchronous interface, whichever holds it.
import fs from 'node:fs';
import path from 'node:path';
import initSqlJs, { type Database } from 'sql.js';
import pg from 'pg';
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

/**
 * PostgreSQL's reading of a migration. The column types are SQLite's, translated (an `id INTEGER
 * PRIMARY KEY` is an identity column); a migration that only SQLite needs has its own entry.
 */
const POSTGRES_ONLY: Readonly<Record<number, string>> = {
  // A PostgreSQL history began after endpoints became route templates: nothing to re-key.
  6: '',
};

export function postgresMigration(version: number): string {
  const own = POSTGRES_ONLY[version];
  if (own !== undefined) return own;
  return MIGRATIONS[version - 1]!.replace(/\bid INTEGER PRIMARY KEY\b/g, 'id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY')
    .replace(/\bINTEGER\b/g, 'BIGINT')
    .replace(/\bREAL\b/g, 'DOUBLE PRECISION');
}

/** The tables whose rows get an id of the database's choosing (insert answers it). */
const ID_TABLES = new Set(['runs', 'alerts', 'fingerprints', 'drift_events']);

export type SqlValue = string | number | null | Uint8Array;
export type Row = Record<string, SqlValue>;
/** A row to insert: a column left undefined takes its default. */
export type NewRow = Record<string, SqlValue | undefined>;

/** An INSERT of `rows` rows of these columns, with its parameters in order. */
function insertStatement(table: string, rows: readonly NewRow[]): { sql: string; params: SqlValue[] } {
  const columns = Object.keys(rows[0]!).filter((k) => rows[0]![k] !== undefined);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return { sql: `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`, params: rows.flatMap((r) => columns.map((k) => r[k] ?? null)) };
}

const shapeOf = (row: NewRow) => Object.keys(row).filter((k) => row[k] !== undefined).join(',');

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** Whether a history location names a PostgreSQL database rather than a file. */
export const isPostgresUrl = (location: string): boolean => POSTGRES_URL.test(location);

/** The password of a postgres:// history location, if it has one: a secret. */
export function historyPassword(location: string | undefined): string | undefined {
  if (!location || !isPostgresUrl(location)) return undefined;
  try {
    return decodeURIComponent(new URL(location).password) || undefined;
  } catch {
    return undefined;
  }
}

/** A PostgreSQL URL as it may be shown: no password, no query but the schema. */
export function shownLocation(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const u = new URL(location);
    const schema = u.searchParams.get('schema');
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}${schema ? `?schema=${schema}` : ''}`;
  } catch {
    return 'postgres://(malformed URL)';
  }
}

/** The history, in SQLite or PostgreSQL: SQL is written once, with `?` placeholders. */
export abstract class History {
  /** Where it lives, fit to show: a file, or the URL without its password. */
  abstract readonly location: string;
  abstract readonly kind: 'sqlite' | 'postgres';

  /** Opens (creating and migrating) the history at a file or a postgres:// URL. */
  static async open(location: string): Promise<History> {
    const history: History = isPostgresUrl(location) ? await PostgresHistory.connect(location) : await SqliteHistory.load(location);
    try {
      await history.migrate();
    } catch (e) {
      await history.close().catch(() => undefined);
      throw e;
    }
    return history;
  }

  /** Removes the history at a file or a postgres:// URL (its schema), for a test or a benchmark to start afresh. */
  static async discard(location: string): Promise<void> {
    if (!isPostgresUrl(location)) return fs.rmSync(location, { force: true });
    const history = await PostgresHistory.connect(location);
    try {
      await history.dropSchema();
    } finally {
      await history.close();
    }
  }

  /** The schema version this database is at. */
  abstract version(): Promise<number>;
  protected abstract migrate(): Promise<void>;
  abstract all(sql: string, params?: SqlValue[]): Promise<Row[]>;
  abstract run(sql: string, params?: SqlValue[]): Promise<void>;
  /** Inserts one row; answers its id where the table has one (else 0). */
  abstract insert(table: string, row: NewRow): Promise<number>;
  abstract transaction<T>(work: () => Promise<T>): Promise<T>;
  /** Gives the space of deleted rows back (after retention). */
  abstract vacuum(): Promise<void>;
  /** Makes the history durable; answers the bytes it holds. */
  abstract save(): Promise<number>;
  abstract close(): Promise<void>;

  async one(sql: string, params: SqlValue[] = []): Promise<Row | undefined> {
    return (await this.all(sql, params))[0];
  }

  /** Inserts many rows of one table, several to a statement. */
  async insertMany(table: string, rows: readonly NewRow[]): Promise<void> {
    for (let i = 0; i < rows.length; ) {
      const shape = shapeOf(rows[i]!);
      const batch: NewRow[] = [];
      // Rows of the same columns share a statement, at most 200 (well under both databases' parameter limits).
      while (i < rows.length && batch.length < 200 && shapeOf(rows[i]!) === shape) batch.push(rows[i++]!);
      const { sql, params } = insertStatement(table, batch);
      await this.run(sql, params);
    }
  }
}

class SqliteHistory extends History {
  readonly kind = 'sqlite';
  private constructor(
    private readonly db: Database,
    readonly location: string,
  ) {
    super();
  }

  static async load(file: string): Promise<SqliteHistory> {
    const SQL = await initSqlJs();
    const db = fs.existsSync(file) ? new SQL.Database(fs.readFileSync(file)) : new SQL.Database();
    // Migration 6 re-keys endpoints recorded before they were route templates.
    db.create_function('nhn_route', (endpoint: string) => retemplated(String(endpoint)));
    return new SqliteHistory(db, file);
  }

  async version(): Promise<number> {
    return Number(this.db.exec('PRAGMA user_version')[0]?.values[0]?.[0] ?? 0);
  }

  protected async migrate(): Promise<void> {
    this.db.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (let v = (await this.version()) + 1; v <= MIGRATIONS.length; v++) {
      this.db.run('BEGIN');
      try {
        this.db.run(MIGRATIONS[v - 1]!);
        this.db.run('INSERT INTO schema_migrations VALUES (?, ?)', [v, new Date().toISOString()]);
        this.db.run(`PRAGMA user_version = ${v}`);
        this.db.run('COMMIT');
      } catch (e) {
        this.db.run('ROLLBACK');
        throw new Error(`${this.location}: schema migration ${v} failed: ${(e as Error).message}`);
      }
    }
    const version = await this.version();
    if (version > MIGRATIONS.length) throw new Error(`${this.location} is at schema version ${version}, newer than this suite knows (${MIGRATIONS.length}); use a newer suite`);
  }

  async all(sql: string, params: SqlValue[] = []): Promise<Row[]> {
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

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    this.db.run(sql, params);
  }

  async insert(table: string, row: NewRow): Promise<number> {
    const { sql, params } = insertStatement(table, [row]);
    this.db.run(sql, params);
    return ID_TABLES.has(table) ? Number(this.db.exec('SELECT last_insert_rowid()')[0]?.values[0]?.[0] ?? 0) : 0;
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    this.db.run('BEGIN');
    try {
      const out = await work();
      this.db.run('COMMIT');
      return out;
    } catch (e) {
      this.db.run('ROLLBACK');
      throw e;
    }
  }

  async vacuum(): Promise<void> {
    this.db.run('VACUUM');
  }

  /** Writes the database to its file (a whole new file, renamed over the old one). */
  async save(): Promise<number> {
    const data = this.db.export();
    fs.mkdirSync(path.dirname(this.location), { recursive: true });
    const tmp = `${this.location}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, this.location);
    return data.byteLength;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** `?` placeholders as PostgreSQL's `$1`, `$2`…, outside quoted text. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (m) => (m === '?' ? `$${++n}` : m));
}

// Counts and sums come back as numbers, as SQLite gives them (node-postgres gives strings).
const numeric = new Set([20, 1700]);
const types = { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (numeric.has(oid) ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser };

class PostgresHistory extends History {
  readonly kind = 'postgres';
  private constructor(
    private readonly client: pg.Client,
    readonly location: string,
    private readonly schema: string,
  ) {
    super();
  }

  async dropSchema(): Promise<void> {
    await this.client.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  /** `?schema=` names the schema the tables live in (default nhn_monitor), created if missing. */
  static async connect(url: string): Promise<PostgresHistory> {
    const location = shownLocation(url);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`the monitor history (NHN_MONITOR_HISTORY or --history) is not a valid postgres:// URL: ${location}`);
    }
    const schema = parsed.searchParams.get('schema') ?? 'nhn_monitor';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`the monitor history (NHN_MONITOR_HISTORY or --history): schema "${schema}" must be a lower-case SQL name`);
    parsed.searchParams.delete('schema');
    const client = new pg.Client({ connectionString: parsed.href, types, application_name: 'nhn-conformance-monitor', connectionTimeoutMillis: 10_000 });
    // A refused connection is named by its shown location: the driver's message may quote the URL.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema}`);
    } catch (e) {
      await client.end().catch(() => undefined);
      const code = (e as { code?: string }).code;
      throw new Error(`the monitor history at ${location} could not be opened: ${code ? `${code} ` : ''}${redactUrl((e as Error).message, url)}`);
    }
    return new PostgresHistory(client, location, schema);
  }

  async version(): Promise<number> {
    return Number((await this.one('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations'))?.v ?? 0);
  }

  protected async migrate(): Promise<void> {
    await this.client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)');
    await this.transaction(async () => {
      // Two monitors starting at once: the second waits, then finds the schema done.
      await this.client.query("SELECT pg_advisory_xact_lock(hashtext('nhn_monitor_migrations'))");
      for (let v = (await this.version()) + 1; v <= MIGRATIONS.length; v++) {
        try {
          const sql = postgresMigration(v);
          if (sql.trim()) await this.client.query(sql);
          await this.run('INSERT INTO schema_migrations VALUES (?, ?)', [v, new Date().toISOString()]);
        } catch (e) {
          throw new Error(`${this.location}: schema migration ${v} failed: ${(e as Error).message}`);
        }
      }
    });
    const version = await this.version();
    if (version > MIGRATIONS.length) throw new Error(`${this.location} is at schema version ${version}, newer than this suite knows (${MIGRATIONS.length}); use a newer suite`);
  }

  async all(sql: string, params: SqlValue[] = []): Promise<Row[]> {
    return (await this.client.query(numberedPlaceholders(sql), params)).rows as Row[];
  }

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    await this.client.query(params.length ? numberedPlaceholders(sql) : sql, params);
  }

  async insert(table: string, row: NewRow): Promise<number> {
    const { sql, params } = insertStatement(table, [row]);
    const rows = await this.all(`${sql}${ID_TABLES.has(table) ? ' RETURNING id' : ''}`, params);
    return Number(rows[0]?.id ?? 0);
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.client.query('BEGIN');
    try {
      const out = await work();
      await this.client.query('COMMIT');
      return out;
    } catch (e) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  async vacuum(): Promise<void> {
    const tables = await this.all("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'");
    if (tables.length) await this.client.query(`VACUUM ${tables.map((t) => String(t.table_name)).join(', ')}`);
  }

  /** Every statement is already durable; answers the size of the history's tables and indexes. */
  async save(): Promise<number> {
    const r = await this.one("SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'");
    return Number(r?.bytes ?? 0);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** A driver message with the URL's password taken out, should it quote it. */
function redactUrl(message: string, url: string): string {
  const password = historyPassword(url);
  return password ? message.split(password).join('***') : message;
}
