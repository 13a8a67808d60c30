import { nearMiss } from '@poolaudit/core';
import type { ConfigProblem, HookedLibrary, LogMode, RegisterConfig } from './types.js';

/** Every variable the hook reads. Any other `POOLAUDIT_*` variable is reported, with the closest of these. */
export const ENV_VARIABLES = [
  'POOLAUDIT_REPORT_INTERVAL',
  'POOLAUDIT_LOG',
  'POOLAUDIT_PROMETHEUS_PORT',
  'POOLAUDIT_PROMETHEUS_HOST',
  'POOLAUDIT_OTEL',
  'POOLAUDIT_PROCESS_SOCKETS',
  'POOLAUDIT_LEAK_MS',
  'POOLAUDIT_DISABLE',
  'POOLAUDIT_RUN_SOCKET',
] as const;

const PREFIX = 'POOLAUDIT_';
const ALL_WORDS: ReadonlySet<string> = new Set(['1', 'true', 'all', '*']);
const LOG_MODES: readonly LogMode[] = ['stderr', 'json', 'off'];
/**
 * What `POOLAUDIT_DISABLE` may name: each hooked library, `http-server` (the servers `http.createServer()` makes,
 * which the `http` entry hands to @poolaudit/server; that adapter honours the name itself) and `host`.
 */
const LIBRARIES: readonly (HookedLibrary | 'http-server' | 'host')[] = [
  'mysql2',
  'ioredis',
  'undici',
  'fetch',
  'generic-pool',
  'pg',
  'http',
  'http-server',
  'grpc',
  'tarn',
  'node-redis',
  'host',
];
const DEFAULTS: RegisterConfig = {
  reportIntervalMs: 60_000,
  log: 'stderr',
  prometheusPort: undefined,
  prometheusHost: '127.0.0.1',
  otel: false,
  processSockets: false,
  leakMs: 0,
  disabled: new Set(),
  runSocket: undefined,
};
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };
const MIN_INTERVAL_MS = 100;

/**
 * The environment the application will run with. A PM2 cluster-mode instance starts with its application's
 * variables (its `env`, `NODE_APP_INSTANCE`) still packed in `pm2_env`, a JSON object PM2's process container
 * unpacks into `process.env` only after `--require` modules ran: they are read from there, over the rest. A
 * `pm2_env` that is not such an object is ignored.
 */
export function applicationEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const packed = env['pm2_env'];
  if (typeof packed !== 'string') return env;
  let parsed: unknown;
  try {
    parsed = JSON.parse(packed);
  } catch {
    return env;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return env;
  const merged: NodeJS.ProcessEnv = { ...env };
  // PM2 copies every key (lib/ProcessContainer.js); only scalars make sense as environment variables.
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      merged[key] = String(value);
    }
  }
  return merged;
}

/**
 * Reads the hook's settings from `env`. Never throws: each bad value becomes a problem (naming the variable,
 * the value and what was expected) and that setting keeps its default.
 */
export function readEnvConfig(env: NodeJS.ProcessEnv = process.env): {
  config: RegisterConfig;
  problems: ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  const problem = (variable: string, value: string, expected: string, hint = ''): void => {
    problems.push({
      variable,
      message: `${variable} must be ${expected}, got ${JSON.stringify(value)}${hint}`,
    });
  };
  for (const variable of Object.keys(env)) {
    if (!variable.startsWith(PREFIX) || (ENV_VARIABLES as readonly string[]).includes(variable)) continue;
    // Compared without the common prefix, which would make every name look close.
    const suffix = nearMiss(
      variable.slice(PREFIX.length),
      ENV_VARIABLES.map((v) => v.slice(PREFIX.length)),
    );
    const near = suffix === undefined ? undefined : `${PREFIX}${suffix}`;
    problems.push({
      variable,
      message: `${variable} is not a poolaudit setting${near ? ` (did you mean ${near}?)` : ''}; it is ignored`,
    });
  }
  const read = (variable: (typeof ENV_VARIABLES)[number]): string | undefined => {
    const value = env[variable]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  let reportIntervalMs = DEFAULTS.reportIntervalMs;
  const interval = read('POOLAUDIT_REPORT_INTERVAL');
  if (interval !== undefined) {
    const ms = parseDuration(interval);
    if (ms === undefined || (ms !== 0 && ms < MIN_INTERVAL_MS)) {
      const hint = /^\d+$/.test(interval)
        ? ` (a bare number is milliseconds: did you mean ${interval}s?)`
        : '';
      problem(
        'POOLAUDIT_REPORT_INTERVAL',
        interval,
        'a duration of at least 100ms (500ms, 30s, 2m) or 0 for never',
        hint,
      );
    } else reportIntervalMs = ms;
  }

  let log = DEFAULTS.log;
  const logValue = read('POOLAUDIT_LOG');
  if (logValue !== undefined) {
    const mode = LOG_MODES.find((m) => m === logValue.toLowerCase());
    if (mode === undefined)
      problem('POOLAUDIT_LOG', logValue, `one of ${LOG_MODES.join(', ')}`, didYouMean(logValue, LOG_MODES));
    else log = mode;
  }

  let prometheusPort = DEFAULTS.prometheusPort;
  const port = read('POOLAUDIT_PROMETHEUS_PORT');
  if (port !== undefined) {
    const n = Number(port);
    if (!/^\d+$/.test(port) || n > 65535)
      problem('POOLAUDIT_PROMETHEUS_PORT', port, 'a TCP port, 0–65535 (0 = any free port)');
    else prometheusPort = n;
  }

  const prometheusHost = read('POOLAUDIT_PROMETHEUS_HOST') ?? DEFAULTS.prometheusHost;

  const readFlag = (variable: (typeof ENV_VARIABLES)[number], fallback: boolean): boolean => {
    const value = read(variable);
    if (value === undefined) return fallback;
    const flag = parseFlag(value);
    if (flag === undefined) problem(variable, value, '1 or 0 (true/false)');
    return flag ?? fallback;
  };
  const otel = readFlag('POOLAUDIT_OTEL', DEFAULTS.otel);
  const processSockets = readFlag('POOLAUDIT_PROCESS_SOCKETS', DEFAULTS.processSockets);

  let leakMs = DEFAULTS.leakMs;
  const leak = read('POOLAUDIT_LEAK_MS');
  if (leak !== undefined) {
    if (!/^\d+$/.test(leak)) problem('POOLAUDIT_LEAK_MS', leak, 'a whole number of milliseconds (0 = off)');
    else leakMs = Number(leak);
  }

  const disabled = new Set<HookedLibrary | 'http-server' | 'host'>();
  const disable = read('POOLAUDIT_DISABLE');
  if (disable !== undefined) {
    for (const raw of disable.split(/[\s,]+/)) {
      const name = raw.trim().toLowerCase();
      if (name === '') continue;
      // The same words as core's kill switch (kill-switch.ts): 1, true, all or * turn everything off.
      if (ALL_WORDS.has(name)) for (const library of LIBRARIES) disabled.add(library);
      else if (name === '0' || name === 'false') continue;
      else {
        const library = LIBRARIES.find((l) => l === name);
        if (library === undefined) {
          problem(
            'POOLAUDIT_DISABLE',
            raw.trim(),
            `a comma-separated list of ${LIBRARIES.join(', ')} or all`,
            didYouMean(name, LIBRARIES),
          );
        } else disabled.add(library);
      }
    }
  }

  return {
    config: {
      reportIntervalMs,
      log,
      prometheusPort,
      prometheusHost,
      otel,
      processSockets,
      leakMs,
      disabled,
      runSocket: read('POOLAUDIT_RUN_SOCKET'),
    },
    problems,
  };
}

/** `500ms`, `30s`, `2m`, or a bare number of milliseconds. */
function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/i.exec(text);
  if (!match) return undefined;
  const unit = UNIT_MS[(match[2] ?? 'ms').toLowerCase()] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

function parseFlag(text: string): boolean | undefined {
  const t = text.toLowerCase();
  if (t === '1' || t === 'true' || t === 'yes' || t === 'on') return true;
  if (t === '0' || t === 'false' || t === 'no' || t === 'off') return false;
  return undefined;
}

function didYouMean(value: string, candidates: readonly string[]): string {
  const near = nearMiss(value, candidates);
  return near ? ` (did you mean ${near}?)` : '';
}
