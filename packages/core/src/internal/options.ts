import { InvalidOptionError } from '../errors.js';
import type { AuditorOptions, DetectorThresholds, PortRange, StartOptions } from '../types.js';

export function checkAuditorOptions(options: unknown): AuditorOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  const o = options as Record<string, unknown>;
  if (o['enabled'] !== undefined && typeof o['enabled'] !== 'boolean') {
    throw new InvalidOptionError('enabled', 'a boolean', o['enabled']);
  }
  if (o['timeWaitSeconds'] !== undefined) positiveInteger('timeWaitSeconds', o['timeWaitSeconds']);
  if (o['portRange'] !== undefined) checkPortRange('portRange', o['portRange']);
  if (o['leakDetectionThresholdMs'] !== undefined) {
    nonNegative('leakDetectionThresholdMs', o['leakDetectionThresholdMs']);
  }
  if (o['clock'] !== undefined && typeof o['clock'] !== 'function') {
    throw new InvalidOptionError('clock', 'a function returning milliseconds', o['clock']);
  }
  if (o['logger'] !== undefined) {
    const logger = o['logger'] as Record<string, unknown> | null;
    if (
      typeof logger !== 'object' ||
      logger === null ||
      typeof logger['warn'] !== 'function' ||
      typeof logger['info'] !== 'function'
    ) {
      throw new InvalidOptionError('logger', 'an object with info() and warn()', o['logger']);
    }
  }
  if (o['detectors'] !== undefined) checkDetectors(o['detectors']);
  return o;
}

export function checkStartOptions(options: unknown): StartOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionError('start options', 'an object', options);
  const o = options as Record<string, unknown>;
  if (o['intervalMs'] !== undefined) positiveInteger('intervalMs', o['intervalMs']);
  if (o['log'] !== undefined && o['log'] !== false && typeof o['log'] !== 'function') {
    throw new InvalidOptionError('log', 'a function or false', o['log']);
  }
  return o;
}

export function checkPortRange(name: string, value: unknown): PortRange {
  const range = value as Partial<PortRange> | null;
  if (
    typeof range !== 'object' ||
    range === null ||
    !Number.isInteger(range.low) ||
    !Number.isInteger(range.high) ||
    (range.low as number) < 1 ||
    (range.high as number) > 65535 ||
    (range.low as number) > (range.high as number)
  ) {
    throw new InvalidOptionError(name, '{ low, high } with 1 ≤ low ≤ high ≤ 65535', value);
  }
  return range as PortRange;
}

function checkDetectors(value: unknown): void {
  if (typeof value !== 'object' || value === null)
    throw new InvalidOptionError('detectors', 'an object', value);
  for (const [code, t] of Object.entries(value as Record<string, unknown>)) {
    if (typeof t !== 'object' || t === null)
      throw new InvalidOptionError(`detectors.${code}`, 'an object', t);
    const th = t as DetectorThresholds & Record<string, unknown>;
    for (const key of Object.keys(th)) {
      if (!['minEvents', 'minSeconds', 'minShare', 'enabled'].includes(key)) {
        throw new InvalidOptionError(
          `detectors.${code}.${key}`,
          'one of minEvents, minSeconds, minShare, enabled',
          key,
        );
      }
    }
    if (th.minEvents !== undefined) nonNegative(`detectors.${code}.minEvents`, th.minEvents);
    if (th.minSeconds !== undefined) nonNegative(`detectors.${code}.minSeconds`, th.minSeconds);
    if (th.minShare !== undefined) nonNegative(`detectors.${code}.minShare`, th.minShare);
    if (th.enabled !== undefined && typeof th.enabled !== 'boolean') {
      throw new InvalidOptionError(`detectors.${code}.enabled`, 'a boolean', th.enabled);
    }
  }
}

function positiveInteger(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidOptionError(name, 'a positive integer', value);
  }
}

function nonNegative(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(name, 'a non-negative number', value);
  }
}
