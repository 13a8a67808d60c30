import { accepts, checkOptions } from '../check-options.js';
import type { OptionCheck } from '../check-options.js';
import { ENDPOINT_DETECTORS, INBOUND_DETECTORS, POOL_DETECTORS } from '../detectors/index.js';
import { UnknownOptionError } from '../errors.js';
import { nearMiss } from '../near-miss.js';
import type { LintPoolsOptions } from '../lint/lint-pools.js';
import type { AuditorOptions, PortRange, ProcessSocketsOptions, StartOptions } from '../types.js';

const WHERE = 'createAuditor()';

const portRange: OptionCheck = {
  expected: '{ low, high } with 1 ≤ low ≤ high ≤ 65535',
  accepts: (value) => {
    const range = value as Partial<PortRange> | null;
    return (
      typeof range === 'object' &&
      range !== null &&
      Number.isInteger(range.low) &&
      Number.isInteger(range.high) &&
      (range.low as number) >= 1 &&
      (range.high as number) <= 65535 &&
      (range.low as number) <= (range.high as number)
    );
  },
};

const AUDITOR_OPTIONS = {
  enabled: accepts.boolean,
  timeWaitSeconds: accepts.positiveInteger,
  portRange,
  leakDetectionThresholdMs: accepts.nonNegativeNumber,
  detectors: accepts.object('an object of thresholds by finding code'),
  clock: accepts.function('returning milliseconds'),
  logger: {
    expected: 'an object with info() and warn()',
    accepts: (v: unknown) => {
      const logger = v as Record<string, unknown> | null;
      return (
        typeof logger === 'object' &&
        logger !== null &&
        typeof logger['warn'] === 'function' &&
        typeof logger['info'] === 'function'
      );
    },
  },
};

const THRESHOLDS = {
  minEvents: accepts.nonNegativeNumber,
  minSeconds: accepts.nonNegativeNumber,
  minShare: accepts.nonNegativeNumber,
  enabled: accepts.boolean,
};

const START_OPTIONS = {
  intervalMs: accepts.positiveInteger,
  log: { expected: 'a function or false', accepts: (v: unknown) => v === false || typeof v === 'function' },
};

const PROCESS_SOCKETS_OPTIONS = {
  samplesPerSecond: accepts.nonNegativeNumber,
};

const LINT_OPTIONS = {
  rules: accepts.arrayOf(
    { expected: '', accepts: (r) => typeof (r as { check?: unknown } | null)?.check === 'function' },
    'an array of lint rules',
  ),
  subjects: accepts.arrayOf(
    accepts.object('a lint subject'),
    'an array of lint subjects ({ kind, name, options, facts })',
  ),
  probeServers: accepts.boolean,
  probeTimeoutMs: accepts.positiveInteger,
  failOn: accepts.oneOf('info', 'warning', 'error', false),
  log: { expected: 'a function or false', accepts: (v: unknown) => v === false || typeof v === 'function' },
  auditor: accepts.auditor,
};

export function checkAuditorOptions(options: unknown): AuditorOptions {
  const o = checkOptions<AuditorOptions>(WHERE, options, AUDITOR_OPTIONS);
  if (o.detectors !== undefined) checkDetectors(o.detectors);
  return o;
}

/** `auditor.configure()`'s options: the two an auditor made elsewhere may still change. */
export function checkConfigureOptions(options: unknown): AuditorOptions {
  const { leakDetectionThresholdMs, logger } = AUDITOR_OPTIONS;
  return checkOptions<AuditorOptions>('auditor.configure()', options, { leakDetectionThresholdMs, logger });
}

export function checkStartOptions(options: unknown): StartOptions {
  return checkOptions<StartOptions>('auditor.start()', options, START_OPTIONS);
}

export function checkProcessSocketsOptions(options: unknown): ProcessSocketsOptions {
  return checkOptions<ProcessSocketsOptions>(
    'auditor.watchProcessSockets()',
    options,
    PROCESS_SOCKETS_OPTIONS,
  );
}

/** `lintPools()`'s and `auditor.lint()`'s options; `auditor` only where `lintPools()` takes it. */
export function checkLintOptions(where: string, options: unknown, withAuditor: boolean): LintPoolsOptions {
  const { auditor, ...rest } = LINT_OPTIONS;
  return checkOptions<LintPoolsOptions>(where, options, withAuditor ? { ...rest, auditor } : rest);
}

/** Thresholds are keyed by finding code: a code no detector produces is a typo that would do nothing. */
function checkDetectors(value: object): void {
  const codes = [...Object.keys(POOL_DETECTORS), ...Object.keys(INBOUND_DETECTORS), ...Object.keys(ENDPOINT_DETECTORS)];
  for (const [code, thresholds] of Object.entries(value)) {
    if (!codes.includes(code)) {
      const suggestion = nearMiss(code, codes);
      throw new UnknownOptionError(`detectors.${code}`, codes, {
        where: WHERE,
        ...(suggestion ? { suggestion: `detectors.${suggestion}` } : {}),
      });
    }
    checkOptions(WHERE, thresholds, THRESHOLDS, `detectors.${code}`);
  }
}
