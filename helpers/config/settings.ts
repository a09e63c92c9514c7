// Typed, validated configuration variables. Every numeric, enumerated or URL variable is parsed
// when it is loaded, and a bad value is a ConfigurationError that names the variable.
import fs from 'node:fs';
import path from 'node:path';

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

export type Env = NodeJS.ProcessEnv;

export interface Setting<T> {
  env: string;
  /** One line for .env.example and error messages. */
  describe: string;
  read(env?: Env): T;
}

function raw(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

export function intSetting(env: string, describe: string, o: { min?: number; max?: number; fallback: number | ((env: Env) => number) }): Setting<number> {
  return {
    env,
    describe,
    read(e = process.env) {
      const v = raw(e, env);
      if (v === undefined) return typeof o.fallback === 'function' ? o.fallback(e) : o.fallback;
      const n = Number(v);
      const range = `${o.min ?? '-∞'}..${o.max ?? '∞'}`;
      if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n)) throw new ConfigurationError(`${env} must be an integer (${range}), got "${v}"`);
      if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) throw new ConfigurationError(`${env} must be between ${o.min ?? '-∞'} and ${o.max ?? '∞'}, got ${n}`);
      return n;
    },
  };
}

export function optionalIntSetting(env: string, describe: string, o: { min?: number; max?: number }): Setting<number | undefined> {
  const inner = intSetting(env, describe, { ...o, fallback: NaN });
  return { env, describe, read: (e = process.env) => (raw(e, env) === undefined ? undefined : inner.read(e)) };
}

export function rangeSetting(env: string, describe: string, o: { min: number; max: number; fallback: [number, number] }): Setting<[number, number]> {
  return {
    env,
    describe,
    read(e = process.env) {
      const v = raw(e, env);
      if (v === undefined) return o.fallback;
      const m = /^(\d+)(?:-(\d+))?$/.exec(v);
      const lo = Number(m?.[1]);
      const hi = Number(m?.[2] ?? m?.[1]);
      if (!m || lo > hi || lo < o.min || hi > o.max) throw new ConfigurationError(`${env} must be "min-max" in ms with ${o.min} ≤ min ≤ max ≤ ${o.max}, got "${v}"`);
      return [lo, hi];
    },
  };
}

export function enumSetting<T extends string>(env: string, describe: string, values: readonly T[], fallback: T): Setting<T> {
  return {
    env,
    describe,
    read(e = process.env) {
      const v = raw(e, env);
      if (v === undefined) return fallback;
      if (!(values as readonly string[]).includes(v)) throw new ConfigurationError(`${env} must be one of ${values.join(', ')}, got "${v}"`);
      return v as T;
    },
  };
}

/** A comma-separated list whose every member must be known. */
export function listSetting<T extends string>(env: string, describe: string, known: () => readonly T[]): Setting<T[]> {
  return {
    env,
    describe,
    read(e = process.env) {
      const v = raw(e, env);
      if (v === undefined) return [];
      const items = v.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = items.filter((i) => !(known() as readonly string[]).includes(i));
      if (unknown.length) throw new ConfigurationError(`${env} names unknown value(s) ${unknown.join(', ')}; known: ${known().join(', ')}`);
      return items as T[];
    },
  };
}

/** A URL; a `secret` one (a webhook with its token in the path) is never shown, not even when it is malformed. */
export function urlSetting(env: string, describe: string, schemes: readonly string[] = ['http:', 'https:'], o: { secret?: boolean } = {}): Setting<string | undefined> {
  return {
    env,
    describe,
    read(e = process.env) {
      const v = raw(e, env);
      if (v === undefined) return undefined;
      const u = URL.parse(v);
      const shown = o.secret ? 'its value is a secret and is not shown' : `got "${v}"`;
      if (!u || !schemes.includes(u.protocol)) throw new ConfigurationError(`${env} must be an absolute ${schemes.map((s) => s.replace(':', '')).join(' or ')} URL (${shown})`);
      return v.replace(/\/+$/, '');
    },
  };
}

/** A document named by a file path or an http(s) URL; a missing file is an error naming the variable. */
export function documentSourceSetting(env: string, describe: string): Setting<string | undefined> {
  return {
    env,
    describe,
    read(e = process.env) {
      const v = raw(e, env);
      if (v === undefined) return undefined;
      if (/^https?:\/\//i.test(v)) {
        try {
          return new URL(v).href;
        } catch {
          throw new ConfigurationError(`${env} must be a file path or an http(s) URL, got "${v}"`);
        }
      }
      if (!fs.existsSync(v)) throw new ConfigurationError(`${env} names ${v}, which does not exist (give a file path or an http(s) URL)`);
      return path.resolve(v);
    },
  };
}

export function stringSetting(env: string, describe: string, o: { pattern?: RegExp; fallback?: string } = {}): Setting<string | undefined> {
  return {
    env,
    describe,
    read(e = process.env) {
      const v = raw(e, env) ?? o.fallback;
      if (v !== undefined && o.pattern && !o.pattern.test(v)) throw new ConfigurationError(`${env} must match ${o.pattern}, got "${v}"`);
      return v;
    },
  };
}

export function flagSetting(env: string, describe: string): Setting<boolean> {
  return {
    env,
    describe,
    read(e = process.env) {
      const v = raw(e, env);
      if (v === undefined) return false;
      if (!['1', 'true', 'yes', '0', 'false', 'no'].includes(v.toLowerCase())) throw new ConfigurationError(`${env} must be 1 or 0, got "${v}"`);
      return ['1', 'true', 'yes'].includes(v.toLowerCase());
    },
  };
}
