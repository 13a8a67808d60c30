import { reportAuditFailure, wrapInstanceMethod } from '@poolaudit/core';
import type { Auditor } from '@poolaudit/core';
import type { PoolAttachment } from './pool-attachment.js';
import type { CorePool, CorePoolCluster } from './shapes.js';

/**
 * The audit of a `PoolCluster`: every node's pool, as `<name>/<node id>`, including nodes added later
 * (`add()` pushes each new id onto `_serviceableNodeIds`, an array of the cluster's own whose `push` is
 * wrapped on that instance: the cluster keeps its own keys and its prototype's `add`). Nodes removed by the cluster are ended by it (lib/pool_cluster.js
 * `_removeNode`), which the node's own audit records as `shutdown`.
 */
export class ClusterAttachment {
  active = true;
  private readonly nodes = new Map<CorePool, PoolAttachment>();
  private restoreAdd: (() => void) | undefined;

  constructor(
    readonly cluster: CorePoolCluster,
    /** Changed only by a second `auditPool()` with another name (audit-pool.ts). */
    public name: string,
    private readonly auditor: Auditor,
    private readonly attachPool: (
      pool: CorePool,
      name: string,
      auditor: Auditor,
    ) => PoolAttachment | undefined,
  ) {}

  attach(): void {
    this.restoreAdd = wrapInstanceMethod(this.cluster._serviceableNodeIds, 'push', wrapPush(this));
    this.attachNodes();
  }

  /** Audits every node not audited yet. */
  attachNodes(): void {
    try {
      for (const [id, node] of Object.entries(this.cluster._nodes)) {
        if (!node || this.nodes.has(node.pool)) continue;
        const attachment = this.attachPool(node.pool, `${this.name}/${id}`, this.auditor);
        if (attachment) this.nodes.set(node.pool, attachment);
      }
    } catch (err) {
      reportAuditFailure('mysql2', this.name, err);
      this.detach();
    }
  }

  /** The node pools audited through this cluster. */
  pools(): PoolAttachment[] {
    return [...this.nodes.values()];
  }

  detach(): void {
    if (!this.active) return;
    this.active = false;
    this.restoreAdd?.();
    for (const attachment of this.nodes.values()) attachment.detach();
    this.nodes.clear();
  }
}

/** `_serviceableNodeIds.push(id)` as the array had it, then the node `add()` just created audited. */
function wrapPush(a: ClusterAttachment) {
  return (original: string[]['push']): string[]['push'] =>
    function push(this: string[], ...ids: string[]): number {
      const length = original.apply(this, ids);
      if (a.active) a.attachNodes();
      return length;
    };
}
