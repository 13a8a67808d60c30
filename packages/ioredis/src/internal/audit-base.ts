import { endpointKey, reportAuditFailure } from '@poolaudit/core';
import type { Auditor, PoolProbe, PoolRegistration } from '@poolaudit/core';
import type { RedisServerSettings } from '../types.js';
import type { ClientWatch, WatchOwner } from './client-watch.js';
import { readServerSettings } from './server-settings.js';

/** What every audit is set up with. */
export interface AuditSetup {
  readonly auditor: Auditor;
  readonly name: string;
  readonly readSettings: boolean;
}

/** Server settings read per auditor and endpoint: once, however many clients connect there. */
const settingsCache = new WeakMap<Auditor, Map<string, Promise<RedisServerSettings>>>();

/**
 * What a `Redis` audit and a `Cluster` audit share: the registration, membership of the pending group,
 * server settings, and the failure path (detach everything, report once).
 */
export abstract class AuditBase implements WatchOwner {
  readonly probe: PoolProbe;
  /** Changed only by `rename()`. */
  name: string;
  private readonly auditor: Auditor;
  private readonly readSettings: boolean;
  private serverTimeoutMs: number | undefined;
  protected detached = false;

  protected constructor(
    setup: AuditSetup,
    registration: Omit<PoolRegistration, 'name' | 'kind' | 'readPending'>,
  ) {
    this.name = setup.name;
    this.auditor = setup.auditor;
    this.readSettings = setup.readSettings;
    this.probe = setup.auditor.register({
      ...registration,
      name: setup.name,
      kind: 'ioredis',
      // Summed by the auditor over the clients recording under this name, while they live.
      readPending: () => this.pending(),
    });
  }

  /** Commands queued while offline, right now. */
  abstract pending(): number;
  abstract shuttingDown(): boolean;
  /** Removes every hook this audit placed. */
  protected abstract unhook(): void;

  /** A watched client ended (`quit()`, `disconnect()`, retries given up). */
  abstract ended(watch: ClientWatch): void;

  /** A second `auditRedis()` with another name. */
  rename(name: string): void {
    if (this.detached || name === this.name) return;
    this.probe.rename(name);
    this.name = name;
  }

  ready(watch: ClientWatch): void {
    if (!this.readSettings || watch.role === 'refresher') return;
    const socket = watch.currentStream;
    const { remoteAddress, remotePort } = socket ?? {};
    const path = watch.client.options['path'];
    const key =
      remoteAddress !== undefined && remotePort !== undefined
        ? endpointKey(remoteAddress, remotePort)
        : typeof path === 'string'
          ? path
          : undefined;
    if (key === undefined) return;
    let byEndpoint = settingsCache.get(this.auditor);
    if (!byEndpoint) {
      byEndpoint = new Map();
      settingsCache.set(this.auditor, byEndpoint);
    }
    let settings = byEndpoint.get(key);
    if (!settings) {
      settings = readServerSettings(watch.client, watch.client.duplicate);
      byEndpoint.set(key, settings);
    }
    void settings.then(
      (s) => this.annotate(s),
      (err: unknown) => this.failed(err),
    );
  }

  /** Records what the server said; across cluster nodes the shortest timeout is the one that bites. */
  private annotate(settings: RedisServerSettings): void {
    if (this.detached) return;
    this.probe.annotate('serverConfigReadable', settings.configReadable);
    const timeout = settings.serverIdleTimeoutMs;
    if (timeout !== undefined && timeout > 0) {
      this.serverTimeoutMs = Math.min(timeout, this.serverTimeoutMs ?? timeout);
      this.probe.annotate('serverIdleTimeoutMs', this.serverTimeoutMs);
    }
    if (settings.serverMaxClients !== undefined) {
      this.probe.annotate('serverMaxClients', settings.serverMaxClients);
    }
  }

  failed(err: unknown): void {
    reportAuditFailure('ioredis', this.name, err);
    this.detach();
  }

  detach(): void {
    if (this.detached) return;
    this.detached = true;
    try {
      this.unhook();
    } finally {
      this.probe.unregister();
    }
  }
}

/** Reads the settings of one client as facts for `lintPools({ probeServers: true })`. */
export async function settingsFacts(
  clients: readonly ClientWatch['client'][],
): Promise<Record<string, number | boolean>> {
  // A client with no connection has no server to ask: say why, as a server that refuses a probe does.
  const connected = clients.filter((c) => c.status === 'ready' || c.status === 'connect');
  if (connected.length === 0) throw new Error(notConnected(clients[0]));
  const all = await Promise.all(connected.map((c) => readServerSettings(c, c.duplicate)));
  const facts: Record<string, number | boolean> = {
    serverConfigReadable: all.length > 0 && all.every((s) => s.configReadable),
  };
  let timeout: number | undefined;
  for (const s of all) {
    const t = s.serverIdleTimeoutMs;
    // The shortest timeout that is on (0 = off) is the one that bites.
    if (t !== undefined && (timeout === undefined || (t > 0 && (timeout === 0 || t < timeout)))) timeout = t;
    if (s.serverMaxClients !== undefined) facts['serverMaxClients'] = s.serverMaxClients;
  }
  if (timeout !== undefined) facts['serverIdleTimeoutMs'] = timeout;
  return facts;
}

/** Why a client that has no connection cannot be asked for its server's settings. */
function notConnected(client: ClientWatch['client'] | undefined): string {
  if (client === undefined) return 'no server is connected';
  return `not connected to the server (ioredis status '${client.status}')`;
}
