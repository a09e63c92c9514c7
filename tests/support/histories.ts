// The monitor history's two homes, for the ops tests that run the monitor against both: a SQLite
// file in the test's folder, and a schema of the test's own in the PostgreSQL database that
// NHN_TEST_POSTGRES_URL names (.ci/run starts Debian's PostgreSQL and sets it). Without that
// variable the PostgreSQL variants skip, unless NHN_REQUIRE_POSTGRES (CI) makes that a failure.
import path from 'node:path';

export interface HistoryBackend {
  name: 'sqlite' | 'postgres';
  /** Why this backend cannot run here, if it cannot. */
  skip?: string;
  /** A fresh history for one test: a file in `dir`, or a schema named after `tag`. */
  location(dir: string, tag: string): string;
}

const postgresUrl = process.env.NHN_TEST_POSTGRES_URL?.trim();

export const HISTORY_BACKENDS: readonly HistoryBackend[] = [
  { name: 'sqlite', location: (dir) => path.join(dir, 'history.sqlite') },
  {
    name: 'postgres',
    skip: postgresUrl || process.env.NHN_REQUIRE_POSTGRES ? undefined : 'no PostgreSQL for the history: set NHN_TEST_POSTGRES_URL (.ci/run starts Debian\'s and sets it, with NHN_REQUIRE_POSTGRES)',
    location: (_dir, tag) => {
      if (!postgresUrl) throw new Error('NHN_REQUIRE_POSTGRES is set but NHN_TEST_POSTGRES_URL is not: name the PostgreSQL database the ops tests may use');
      const url = new URL(postgresUrl);
      url.searchParams.set('schema', `nhn_ops_${tag}_${process.pid}_${Date.now().toString(36)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_'));
      return url.href;
    },
  },
];

