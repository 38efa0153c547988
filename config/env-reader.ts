/**
 * The one way configuration reads the environment: typed readers that fall back to a default when a variable
 * is unset or blank, and record a problem (naming the variable, what was expected and what was found) instead
 * of throwing, so a bad environment is reported whole at startup (ConfigError lists every problem).
 */
export interface EnvReader {
  // Function properties, not methods: the readers use no `this`, and callers destructure them.
  /** An integer in `[min, max]`. */
  int: (name: string, fallback: number, min: number, max: number) => number;
  /** A finite number `>= min` (and `<= max` when given). */
  num: (name: string, fallback: number, min: number, max?: number) => number;
  /** A finite number `> 0`. */
  positive: (name: string, fallback: number) => number;
  /** `true|false|1|0|yes|no`. */
  bool: (name: string, fallback: boolean) => boolean;
  /** `on|off` (and the `bool` spellings). */
  onOff: (name: string, fallback: boolean) => boolean;
  /** An http(s) URL without trailing slashes ('' when unset). */
  url: (name: string, fallback?: string) => string;
  /** Parsed JSON, or undefined when unset or invalid (a problem is recorded when invalid). */
  json: <T>(name: string) => T | undefined;
}

/**
 * Readers over `env` that push problems onto `problems`. Pure apart from that array.
 */
export function envReader(env: NodeJS.ProcessEnv, problems: string[]): EnvReader {
  const raw = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const flag = (name: string, fallback: boolean, truthy: string[], falsy: string[], expected: string): boolean => {
    const v = raw(name)?.trim().toLowerCase();
    if (v === undefined) return fallback;
    if (truthy.includes(v)) return true;
    if (falsy.includes(v)) return false;
    problems.push(`${name}: expected ${expected}, got "${v}"`);
    return fallback;
  };
  return {
    int(name, fallback, min, max) {
      const v = raw(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        problems.push(`${name}: expected an integer from ${min} to ${max}, got "${v}"`);
        return fallback;
      }
      return n;
    },
    num(name, fallback, min, max) {
      const v = raw(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || n < min || (max !== undefined && n > max)) {
        problems.push(`${name}: expected a number ${max === undefined ? `>= ${min}` : `from ${min} to ${max}`}, got "${v}"`);
        return fallback;
      }
      return n;
    },
    positive(name, fallback) {
      const v = raw(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) {
        problems.push(`${name}: expected a number > 0, got "${v}"`);
        return fallback;
      }
      return n;
    },
    bool: (name, fallback) => flag(name, fallback, ['1', 'true', 'yes'], ['0', 'false', 'no'], 'true or false'),
    onOff: (name, fallback) => flag(name, fallback, ['on', '1', 'true', 'yes'], ['off', '0', 'false', 'no'], 'on or off'),
    url(name, fallback = '') {
      const v = (env[name] ?? fallback).trim().replace(/\/+$/, '');
      if (v !== '' && !/^https?:\/\/[^\s]+$/i.test(v)) problems.push(`${name}: expected an http(s) URL, got "${v}"`);
      return v;
    },
    json<T>(name: string): T | undefined {
      const v = raw(name);
      if (v === undefined) return undefined;
      try {
        return JSON.parse(v) as T;
      } catch {
        problems.push(`${name}: not valid JSON`);
        return undefined;
      }
    },
  };
}

/**
 * Reads a boolean environment flag: `true`/`1`/`yes` or `false`/`0`/`no` (any case); unset or blank is
 * `false`. Pure. Unlike {@link EnvReader.bool} it throws, for readers that have no problem list to push onto
 * (a script building a compositor, `localCompositionSettings` in config/providers/local.config.ts).
 *
 * @throws Error naming the variable on any other value, so a typo does not silently disable an export
 */
export function envFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return false;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new Error(`${name}=${env[name]}: expected true or false`);
}
