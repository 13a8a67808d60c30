import type { EventEmitter } from 'node:events';
import { wrapMethodOf } from '@poolaudit/core';
import { readIoredisConfig } from '../read-config.js';
import { ioredisLintRules } from '../lint-rules.js';
import { AuditBase, settingsFacts } from './audit-base.js';
import type { AuditSetup } from './audit-base.js';
import { ClientWatch } from './client-watch.js';
import type { ClusterInternals, RedisInternals } from './shapes.js';

type Duplicate = RedisInternals['duplicate'];
type SetStatus = ClusterInternals['setStatus'];

/** A node's watch and the undo of its `duplicate` wrapper (the one that catches slot-refresh connections). */
interface NodeHooks {
  readonly watch: ClientWatch;
  readonly restoreDuplicate: () => void;
}

/** Statuses in which a cluster's nodes close because the cluster itself is closing. */
const CLOSING: ReadonlySet<string | undefined> = new Set(['disconnecting', 'close', 'end']);

/** `lib/cluster/util.ts` getConnectionName("refresher", …): the slot-refresh duplicate of a node. */
function isRefresher(override: Readonly<Record<string, unknown>> | undefined): boolean {
  const name = override?.['connectionName'];
  return typeof name === 'string' && name.startsWith('ioredis-cluster(refresher)');
}

/**
 * The audit of a `Cluster`: one registration for the whole cluster (its nodes are not separate clients),
 * a watch per node client as it appears (`+node`) and leaves (`-node`), and a watch per slot-refresh
 * connection, which ioredis opens with `node.duplicate()` and closes with `disconnect()` on every refresh
 * (`lib/cluster/index.ts` getInfoFromNode). Nothing is added to the objects the application sees: nodes come
 * and go on the cluster's internal `connectionPool` (which the cluster re-emits them from), its end is read
 * at `setStatus`, and `duplicate` is wrapped by `wrapMethodOf`.
 */
export class ClusterAudit extends AuditBase {
  private readonly nodes = new Map<RedisInternals, NodeHooks>();
  private readonly refreshers = new Set<ClientWatch>();
  /** Where nodes are announced: the cluster's connection pool, or the cluster itself without one. */
  private readonly announcer: EventEmitter;
  private readonly restoreSetStatus: () => void;

  constructor(
    private readonly cluster: ClusterInternals,
    setup: AuditSetup,
  ) {
    const { config, settings } = readIoredisConfig(cluster.options, 'cluster');
    super(setup, {
      config,
      settings,
      rawConfig: cluster.options,
      lintRules: ioredisLintRules,
      probeServer: () => settingsFacts(cluster.nodes('all')),
    });
    this.announcer = cluster.connectionPool ?? cluster;
    this.announcer.on('+node', this.onNodeAdded);
    this.announcer.on('-node', this.onNodeRemoved);
    this.restoreSetStatus = wrapMethodOf(cluster, 'setStatus', (original) =>
      wrapClusterStatus(original, this),
    );
    for (const node of cluster.nodes('all')) this.addNode(node);
  }

  pending(): number {
    let n = this.cluster.offlineQueue.length;
    for (const node of this.nodes.keys()) n += node.offlineQueue.length;
    return n;
  }

  shuttingDown(): boolean {
    return CLOSING.has(this.cluster.status);
  }

  protected unhook(): void {
    this.announcer.removeListener('+node', this.onNodeAdded);
    this.announcer.removeListener('-node', this.onNodeRemoved);
    this.restoreSetStatus();
    for (const node of [...this.nodes.keys()]) this.removeNode(node);
    for (const watch of this.refreshers) watch.detach();
    this.refreshers.clear();
  }

  /** A slot-refresh connection ended: its watch goes. A node's end is the cluster's business (`-node`). */
  ended(watch: ClientWatch): void {
    if (!this.refreshers.delete(watch)) return;
    watch.detach();
  }

  /** The cluster set its status; at `end` (on the tick its event is emitted) its record may retire. */
  statusSet(status: string): void {
    if (status === 'end') process.nextTick(this.onEnd);
  }

  private addNode(node: RedisInternals): void {
    if (this.nodes.has(node)) return;
    const watch = new ClientWatch(node, 'node', this);
    const restoreDuplicate = wrapMethodOf(node, 'duplicate', (original) =>
      wrapDuplicate(original, this.addRefresher),
    );
    this.nodes.set(node, { watch, restoreDuplicate });
    watch.attach();
    this.probe.count('node-added');
  }

  private removeNode(node: RedisInternals): void {
    const hooks = this.nodes.get(node);
    if (!hooks) return;
    this.nodes.delete(node);
    hooks.watch.detach();
    hooks.restoreDuplicate();
  }

  /** Called on the application's path (inside ioredis' refresh): never throws. */
  private readonly addRefresher = (client: RedisInternals): void => {
    try {
      const watch = new ClientWatch(client, 'refresher', this);
      this.refreshers.add(watch);
      watch.attach();
      this.probe.count('slots-refresh');
    } catch (err) {
      this.failed(err);
    }
  };

  private readonly onNodeAdded = (node: RedisInternals): void => {
    try {
      this.addNode(node);
    } catch (err) {
      this.failed(err);
    }
  };

  private readonly onNodeRemoved = (node: RedisInternals): void => {
    try {
      this.removeNode(node);
      this.probe.count('node-removed');
    } catch (err) {
      this.failed(err);
    }
  };

  private readonly onEnd = (): void => {
    if (!this.detached) this.probe.ended();
  };
}

/** The cluster's `setStatus`: the original, then the status noted for the audit (which never throws). */
function wrapClusterStatus(original: SetStatus, audit: ClusterAudit): SetStatus {
  return function setStatus(this: ClusterInternals, status: string): void {
    original.call(this, status);
    audit.statusSet(status);
  };
}

/** A node's `duplicate`: the original, then the copy is watched when it is the slot refresher. */
function wrapDuplicate(original: Duplicate, refresher: (client: RedisInternals) => void): Duplicate {
  return function duplicate(this: RedisInternals, override?: Readonly<Record<string, unknown>>) {
    const copy = original.call(this, override);
    if (isRefresher(override)) refresher(copy);
    return copy;
  };
}
