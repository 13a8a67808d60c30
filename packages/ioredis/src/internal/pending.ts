/** Something whose commands can wait offline: a `Redis`, or a `Cluster` with its nodes. */
export interface PendingSource {
  pending(): number;
}

/**
 * Every audited client under one pool name, per auditor. Registrations with the same name share one pool
 * record, which keeps the first registration's `readPending`: each registration's reader therefore reads
 * the whole group, so pending counts every client's offline queue whichever reader is kept.
 */
const groups = new WeakMap<object, Map<string, Set<PendingSource>>>();

export function pendingGroup(auditor: object, name: string): Set<PendingSource> {
  let byName = groups.get(auditor);
  if (!byName) {
    byName = new Map();
    groups.set(auditor, byName);
  }
  let group = byName.get(name);
  if (!group) {
    group = new Set();
    byName.set(name, group);
  }
  return group;
}

/** The `readPending` of a registration: commands queued offline across the group, read on snapshot. */
export function pendingReader(group: ReadonlySet<PendingSource>): () => number {
  return () => {
    let n = 0;
    for (const source of group) n += source.pending();
    return n;
  };
}
