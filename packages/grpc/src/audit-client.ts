import {
  InvalidOptionError,
  UnsupportedPoolError,
  auditAgain,
  defaultAuditor,
  reportAuditFailure,
} from '@poolaudit/core';
import type { Auditor, PoolProbe } from '@poolaudit/core';
import type { Channel, Client } from '@grpc/grpc-js';
import { ChannelAudit } from './internal/channel-audit.js';
import { channelOf } from './internal/shapes.js';
import { grpcLintRules } from './lint-rules.js';
import { rawOptionsOf, readGrpcConfig } from './read-config.js';
import type { AuditClientOptions } from './types.js';

const KIND = 'grpc';
const OPTION_KEYS: ReadonlySet<string> = new Set(['name', 'auditor']);
/** Each audited client's hooks, its probe, and the name (as last renamed) and auditor it was audited with. */
const audits = new WeakMap<object, Audited>();

interface Audited {
  readonly audit: ChannelAudit;
  readonly probe: PoolProbe;
  readonly auditor: Auditor;
  name: string;
}

/**
 * Audits a @grpc/grpc-js client (anything made by `makeGenericClientConstructor` or `loadPackageDefinition`,
 * or a `grpc.Client`) or a channel, and returns it unchanged. Every connection its channel dials is recorded
 * (one per backend address: grpc-js's subchannels), from the TCP connect to the socket's close, with who
 * closed first, why (`client.close()` → `shutdown`; `grpc.client_idle_timeout_ms` → `idleTimeout`; a server
 * GOAWAY, e.g. `grpc.max_connection_age_ms` → `remote`), its lifetime and the calls (HTTP/2 streams) it
 * carried; a connection with a call running is in use, calls waiting for a connection are pending.
 *
 * Audit the client before its first call to see every connection; one audited later also adopts the
 * connections grpc-js keeps for its target. With the global subchannel pool (the default), channels to the same
 * target with the same options and credentials share connections: each is recorded under the first audited
 * channel that used it.
 *
 * Nothing the application can see changes: the hooks sit on grpc-js's internal subchannel pool, subchannels
 * and transports. Auditing a client twice hooks nothing more: a different `name` renames its pool, another
 * `auditor` is ignored with a warning. `detachClient()` takes every hook back.
 *
 * @throws UnsupportedPoolError when `client` is neither a grpc-js client nor a channel.
 * @throws InvalidOptionError when an option is wrong, naming it and its value.
 */
export function auditClient<T extends Client | Channel>(client: T, options?: AuditClientOptions): T {
  const { name, auditor } = checkOptions(options);
  const channel = channelOf(client);
  if (!channel) {
    throw new UnsupportedPoolError('@poolaudit/grpc', 'a @grpc/grpc-js Client or Channel', client);
  }
  const audited = audits.get(client);
  if (audited !== undefined) {
    const again = { name, auditor: options?.auditor };
    const rename = auditAgain('auditClient()', audited.name, { auditor: audited.auditor }, again);
    if (rename !== undefined) {
      audited.probe.rename(rename);
      audited.name = rename;
    }
    return client;
  }
  // POOLAUDIT_DISABLE names grpc (or the auditor is disabled): the client is handed back untouched.
  if (!auditor.audits(KIND)) return client;
  const internal = channel.internalChannel;
  const { config, settings } = readGrpcConfig(internal.options);
  const poolName = name ?? defaultGrpcName(channel.getTarget());
  const probe = auditor.register({
    name: poolName,
    kind: KIND,
    config,
    rawConfig: rawOptionsOf(internal.options),
    settings,
    readPending: () => internal.pickQueue.size,
    lintRules: grpcLintRules,
  });
  const failed = (err: unknown): void => {
    const audit = audits.get(client)?.audit;
    audits.delete(client);
    audit?.detach();
    reportAuditFailure(KIND, poolName, err);
  };
  const audit = new ChannelAudit(internal, probe, failed);
  audits.set(client, { audit, probe, auditor, name: poolName });
  try {
    audit.attach();
  } catch (err) {
    failed(err);
  }
  return client;
}

/**
 * Stops auditing `client`: every hook on grpc-js's subchannel pool, subchannels and transports is taken back.
 * What was recorded stays readable in the auditor. Returns false when the client was not audited.
 */
export function detachClient(client: Client | Channel): boolean {
  const audited = audits.get(client);
  if (!audited) return false;
  audits.delete(client);
  audited.audit.detach();
  return true;
}

/** Whether `client` is audited right now. */
export function isAudited(client: Client | Channel): boolean {
  return audits.has(client);
}

/** The name a channel gets when none is given: `grpc <target>` (the channel's own target string). */
export function defaultGrpcName(target: string): string {
  return `grpc ${target}`;
}

function checkOptions(options: AuditClientOptions | undefined): {
  name: string | undefined;
  auditor: Auditor;
} {
  if (options === undefined) return { name: undefined, auditor: defaultAuditor };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new InvalidOptionError(`options.${key}`, 'one of name, auditor', key);
  }
  const { name, auditor } = options;
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
    throw new InvalidOptionError('name', 'a non-empty string', name);
  }
  if (auditor !== undefined && typeof (auditor as Partial<Auditor> | null)?.register !== 'function') {
    throw new InvalidOptionError('auditor', 'an Auditor from createAuditor()', auditor);
  }
  return { name, auditor: auditor ?? defaultAuditor };
}
