import { Cluster } from 'ioredis';
import { createAuditor } from '@poolaudit/core';
import { auditRedis, detachRedis, isAudited } from '../src/index.js';

// ioredis' own cluster tests stub `connect()` (test/unit/cluster.ts, functional/cluster/*): the Cluster is
// genuine but `connect()` never set `status`. Auditing must recognise it and must not throw at it.
class StubbedCluster extends Cluster {
  override connect(): Promise<void> {
    return Promise.resolve();
  }
}

describe('a Cluster in an unusual state', () => {
  it('whose connect() is stubbed (no status yet) is audited, not refused', () => {
    const cluster = new StubbedCluster([{ host: '127.0.0.1', port: 1 }]);
    expect(cluster.status).toBeUndefined();
    const auditor = createAuditor();
    expect(auditRedis(cluster, { auditor, name: 'stubbed' })).toBe(cluster);
    expect(isAudited(cluster)).toBe(true);
    expect(auditor.poolNames()).toEqual(['stubbed']);
    expect(detachRedis(cluster)).toBe(true);
    expect(cluster.listenerCount('+node')).toBe(0);
  });

  it('created lazily (connect() not run yet) is audited', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    const auditor = createAuditor();
    expect(() => auditRedis(cluster, { auditor, name: 'lazy' })).not.toThrow();
    expect(isAudited(cluster)).toBe(true);
    detachRedis(cluster);
  });

  it('an object that only looks like a Cluster is still refused, naming what it got', () => {
    const lookalike = Object.assign(Object.create({ nodes: () => [] }) as object, {
      isCluster: true,
      options: {},
      offlineQueue: { length: 0 },
      status: 'ready',
    });
    expect(() => auditRedis(lookalike as never)).toThrow('an ioredis Redis or Cluster');
  });
});
