import type { RedisServerSettings } from '../types.js';
import type { RedisInternals } from './shapes.js';

/** How long reading the settings may take before it is given up (connect and each command), ms. */
const READ_TIMEOUT_MS = 2000;

/**
 * Reads `timeout` and `maxclients` with `CONFIG GET` on a short-lived connection of its own (a duplicate of
 * the client's options, so auth, TLS and sentinels apply), never on the application's connection: a
 * command there could land inside the application's `MULTI` or be refused in subscriber mode. `CONFIG`
 * disabled, renamed or refused by an ACL only leaves the fields out. Never rejects.
 */
export async function readServerSettings(
  client: RedisInternals,
  duplicate: RedisInternals['duplicate'],
): Promise<RedisServerSettings> {
  let reader: RedisInternals;
  try {
    reader = duplicate.call(client, {
      lazyConnect: true,
      enableOfflineQueue: true,
      enableReadyCheck: false,
      enableAutoPipelining: false,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      retryStrategy: null,
      reconnectOnError: null,
      maxRetriesPerRequest: 0,
      monitor: false,
      readOnly: false,
      keyPrefix: '',
      connectTimeout: READ_TIMEOUT_MS,
      commandTimeout: READ_TIMEOUT_MS,
      connectionName: 'poolaudit(settings)',
    });
  } catch {
    return { configReadable: false };
  }
  // The reader's own errors are expected (CONFIG renamed, server gone): they must not reach the console.
  reader.on('error', ignore);
  try {
    const [timeout, maxClients] = await Promise.all([
      configValue(reader, 'timeout'),
      configValue(reader, 'maxclients'),
    ]);
    return {
      configReadable: timeout !== undefined || maxClients !== undefined,
      ...(timeout === undefined ? {} : { serverIdleTimeoutMs: timeout * 1000 }),
      ...(maxClients === undefined ? {} : { serverMaxClients: maxClients }),
    };
  } finally {
    reader.disconnect();
  }
}

async function configValue(reader: RedisInternals, key: string): Promise<number | undefined> {
  try {
    const reply = await reader.call('CONFIG', 'GET', key);
    // RESP2 answers [key, value]; RESP3 a map, which ioredis also hands over as [key, value].
    const value: unknown = Array.isArray(reply) ? reply[1] : undefined;
    const n = typeof value === 'string' || typeof value === 'number' ? Number(value) : Number.NaN;
    return Number.isFinite(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function ignore(): void {
  // Deliberately empty: see readServerSettings.
}
