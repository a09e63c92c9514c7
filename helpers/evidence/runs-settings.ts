// How many runs the report folder keeps (helpers/evidence/runs.ts prunes to it).
import { intSetting } from '../config/settings.ts';

export const RUNS_SETTINGS = {
  keep: intSetting('NHN_KEEP_RUNS', 'how many runs reports/runs/ keeps (the newest whole run is always kept)', { min: 1, max: 10_000, fallback: 20 }),
};

export const keepRuns = (env: NodeJS.ProcessEnv = process.env) => RUNS_SETTINGS.keep.read(env);
