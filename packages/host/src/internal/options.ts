import { InvalidOptionError, accepts, checkOptions, endpointKey, parseEndpoint } from '@poolaudit/core';
import type { OptionCheck } from '@poolaudit/core';
import type { ProcOptions, SocketTableOptions, TcpState } from '../types.js';
import { STATE_NAMES } from './table-scan.js';
import type { TupleQuery } from './tuple-matcher.js';

export function checkObject(name: string, options: unknown): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(name, 'an object', options);
  }
  return options as Record<string, unknown>;
}

/** Any value: the option is checked, and normalized, by the code that reads it. */
const checkedWhenRead: OptionCheck = { expected: '', accepts: () => true };

const PROC_OPTIONS = { procRoot: checkedWhenRead, platform: checkedWhenRead };

const TABLE_OPTIONS = {
  procRoot: checkedWhenRead,
  remote: checkedWhenRead,
  local: checkedWhenRead,
  states: checkedWhenRead,
  listSockets: accepts.boolean,
  tuples: checkedWhenRead,
  offThread: accepts.oneOf(true, false, 'auto'),
  offThreadAbove: accepts.positiveNumber,
  userHz: accepts.positiveNumber,
  endianness: accepts.oneOf('LE', 'BE'),
};

/** `observeHost()`'s options (the scan options it passes on are checked again when it scans). */
export const OBSERVE_OPTIONS = {
  intervalMs: accepts.positiveNumber,
  procRoot: checkedWhenRead,
  endpoints: checkedWhenRead,
  offThread: accepts.oneOf(true, false, 'auto'),
  offThreadAbove: accepts.positiveNumber,
  platform: checkedWhenRead,
  logger: {
    expected: 'an object with warn()',
    accepts: (v: unknown) => typeof (v as { warn?: unknown } | null)?.warn === 'function',
  },
};

export function checkProcOptions(
  options: ProcOptions,
  where = 'readSysctls()',
): { procRoot: string; platform: NodeJS.Platform } {
  const o: Record<string, unknown> = checkOptions(where, checkObject('options', options), PROC_OPTIONS);
  const procRoot = o['procRoot'] ?? '/proc';
  if (typeof procRoot !== 'string' || procRoot === '') {
    throw new InvalidOptionError('procRoot', 'a directory path', procRoot);
  }
  const platform = o['platform'] ?? process.platform;
  if (typeof platform !== 'string') throw new InvalidOptionError('platform', 'a platform name', platform);
  return { procRoot, platform: platform as NodeJS.Platform };
}

export function positiveNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(name, 'a positive number', value);
  }
  return value;
}

/** Endpoint strings in `endpointKey` form, so they meet the keys the table makes. */
export function endpointList(name: string, value: unknown): string[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) throw new InvalidOptionError(name, 'an array of "host:port" strings', value);
  return value.map((entry: unknown) => {
    if (typeof entry !== 'string' || !/:\d+$/.test(entry)) {
      throw new InvalidOptionError(name, 'an array of "host:port" strings', entry);
    }
    const { host, port } = parseEndpoint(entry);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new InvalidOptionError(name, 'an array of "host:port" strings', entry);
    }
    return endpointKey(host, port);
  });
}

export interface TableOptions {
  readonly procRoot: string;
  readonly remote: string[] | null;
  readonly local: string[] | null;
  readonly states: number[] | null;
  readonly listSockets: boolean;
  readonly tuples: TupleQuery | null;
  /** Also list the CLOSE_WAIT sockets toward the counted remote endpoints (the observer's, never public). */
  readonly closeWaitTuples: boolean;
  readonly offThread: boolean | 'auto';
  readonly offThreadAbove: number;
  readonly userHz: number;
  readonly littleEndian: boolean | undefined;
}

export function checkTableOptions(options: SocketTableOptions): TableOptions {
  const o: Record<string, unknown> = checkOptions(
    'readSocketTable()',
    checkObject('options', options),
    TABLE_OPTIONS,
  );
  const { procRoot } = checkProcOptions({
    ...(o['procRoot'] === undefined ? {} : { procRoot: o['procRoot'] as string }),
  });
  let states: number[] | null = null;
  if (o['states'] !== undefined) {
    if (!Array.isArray(o['states'])) {
      throw new InvalidOptionError('states', `an array of ${STATE_NAMES.join(', ')}`, o['states']);
    }
    states = o['states'].map((s: unknown) => {
      const i = STATE_NAMES.indexOf(s as TcpState);
      if (i < 0) throw new InvalidOptionError('states', `an array of ${STATE_NAMES.join(', ')}`, s);
      return i + 1;
    });
  }
  const listSockets = o['listSockets'] ?? false;
  if (typeof listSockets !== 'boolean') throw new InvalidOptionError('listSockets', 'a boolean', listSockets);
  const offThread = o['offThread'] ?? 'auto';
  if (typeof offThread !== 'boolean' && offThread !== 'auto') {
    throw new InvalidOptionError('offThread', "true, false or 'auto'", offThread);
  }
  const endianness = o['endianness'];
  if (endianness !== undefined && endianness !== 'LE' && endianness !== 'BE') {
    throw new InvalidOptionError('endianness', "'LE' or 'BE'", endianness);
  }
  return {
    procRoot,
    remote: endpointList('remote', o['remote']),
    local: endpointList('local', o['local']),
    states,
    listSockets,
    tuples: tupleQuery(o['tuples']),
    closeWaitTuples: false,
    offThread,
    offThreadAbove:
      o['offThreadAbove'] === undefined ? 2000 : positiveNumber('offThreadAbove', o['offThreadAbove']),
    userHz: o['userHz'] === undefined ? 100 : positiveNumber('userHz', o['userHz']),
    littleEndian: endianness === undefined ? undefined : endianness === 'LE',
  };
}

const TUPLES = '{ local: string[], remote: string[] } of the same length';

/** Checked by type only: a scan may look up tens of thousands of tuples, already in `endpointKey` form. */
function tupleQuery(value: unknown): TupleQuery | null {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null) throw new InvalidOptionError('tuples', TUPLES, value);
  const { local, remote } = value as { local?: unknown; remote?: unknown };
  if (!Array.isArray(local) || !Array.isArray(remote) || local.length !== remote.length) {
    throw new InvalidOptionError('tuples', TUPLES, value);
  }
  for (let i = 0; i < local.length; i++) {
    if (typeof local[i] !== 'string' || typeof remote[i] !== 'string') {
      throw new InvalidOptionError('tuples', TUPLES, value);
    }
  }
  return { local: local as string[], remote: remote as string[] };
}
