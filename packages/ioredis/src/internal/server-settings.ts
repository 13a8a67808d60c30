import type { RedisServerSettings } from '../types.js';
import type { RedisInternals } from './shapes.js';

/** How long reading the settings may take before it is given up (connect and each command), ms. */
const READ_TIMEOUT_MS = 2000;

/**
 * Reads `timeout` and `maxclients` with `CONFIG GET` on a short-lived connection of its own (a duplicate of
 * the client's options, so auth and TLS apply), never on the application's connection: a command there
 * could land inside the application's `MULTI` or be refused in subscriber mode. The reader goes straight to
 * the server the client is connected to: a sentinel client's duplicate would ask the sentinels for the
 * master again (one more sentinel connection, and a topology refresh the library then acts on). A client
 * not connected is not read. `CONFIG` disabled, renamed or refused by an ACL only leaves the fields out.
 * Never rejects.
 */
export async function readServerSettings(
  client: RedisInternals,
  duplicate: RedisInternals['duplicate'],
): Promise<RedisServerSettings> {
  const direct = directTarget(client);
  if (direct === undefined) return { configReadable: false };
  let reader: RedisInternals;
  try {
    reader = duplicate.call(client, {
      ...direct,
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

/** Where the client is connected now: its socket's peer (or its unix socket path), with no sentinels. */
function directTarget(client: RedisInternals): Readonly<Record<string, unknown>> | undefined {
  const path = client.options['path'];
  if (typeof path === 'string' && path !== '') return { path, sentinels: null };
  const { remoteAddress, remotePort } = client.stream ?? {};
  if (remoteAddress === undefined || remotePort === undefined) return undefined;
  return { host: remoteAddress, port: remotePort, sentinels: null };
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
