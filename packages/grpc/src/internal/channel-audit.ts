import { wrapInstanceMethod } from '@poolaudit/core';
import type { PoolProbe } from '@poolaudit/core';
import { isSubchannel } from './shapes.js';
import type { InternalChannelShape, SubchannelPoolShape, SubchannelShape } from './shapes.js';
import { SubchannelWatch } from './subchannel-watch.js';

/**
 * One hook per subchannel pool (grpc-js has one global pool shared by every channel, and one per channel
 * created with `grpc.use_local_subchannel_pool`): `getOrCreateSubchannel` is where a channel's load
 * balancer gets each subchannel (`internal-channel.js` L214), called with the channel's own parsed target
 * object, which tells the audited channels apart.
 */
class PoolHook {
  /** Audits by the channel's target object, held weakly: a channel dropped unaudited leaves nothing here. */
  readonly audits = new WeakMap<object, ChannelAudit>();
  /** Audits attached and not detached; the hook leaves the pool when the last one is detached. */
  private attached = 0;
  private readonly restore: () => void;

  constructor(private readonly pool: SubchannelPoolShape) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrappers below run with the library's `this`
    const hook = this;
    this.restore = wrapInstanceMethod(pool, 'getOrCreateSubchannel', (original) => {
      return function (this: SubchannelPoolShape, target, address, args, credentials) {
        const subchannel = original.call(this, target, address, args, credentials);
        hook.audits.get(target)?.adopt(subchannel);
        return subchannel;
      };
    });
  }

  join(target: object, audit: ChannelAudit): void {
    this.audits.set(target, audit);
    this.attached++;
  }

  leave(target: object): void {
    if (!this.audits.delete(target)) return;
    if (--this.attached > 0) return;
    this.restore();
    hooks.delete(this.pool);
  }
}

const hooks = new WeakMap<SubchannelPoolShape, PoolHook>();
/** Which watch follows a subchannel: the first audited channel to use a shared one records it. */
const watched = new WeakMap<SubchannelShape, SubchannelWatch>();

/** The audit of one channel: its subchannels as its load balancer takes them. */
export class ChannelAudit {
  private readonly watches = new Map<SubchannelShape, SubchannelWatch>();
  private live = true;

  constructor(
    private readonly internal: InternalChannelShape,
    private readonly probe: PoolProbe,
    private readonly fail: (err: unknown) => void,
  ) {}

  attach(): void {
    const pool = this.internal.subchannelPool;
    let hook = hooks.get(pool);
    if (!hook) {
      hook = new PoolHook(pool);
      hooks.set(pool, hook);
    }
    hook.join(this.internal.target, this);
    // Subchannels the channel took before it was audited: every one the pool keeps for its target string
    // (with the global pool, channels to the same target with the same options and credentials share them).
    const target = (this.internal as { getTarget?: () => string }).getTarget?.();
    const existing = target === undefined ? undefined : pool.pool[target];
    for (const entry of existing ?? []) this.adopt(entry.subchannel);
  }

  adopt(subchannel: SubchannelShape): void {
    if (!this.live || watched.has(subchannel)) return;
    try {
      if (!isSubchannel(subchannel)) {
        this.fail(
          new Error('a grpc-js subchannel without connector/secureConnector.connect: unsupported version'),
        );
        return;
      }
      const watch = new SubchannelWatch(subchannel, this.internal, this.probe, this.fail);
      watched.set(subchannel, watch);
      this.watches.set(subchannel, watch);
      watch.attach();
    } catch (err) {
      this.fail(err);
    }
  }

  detach(): void {
    if (!this.live) return;
    this.live = false;
    hooks.get(this.internal.subchannelPool)?.leave(this.internal.target);
    for (const [subchannel, watch] of this.watches) {
      watch.detach();
      watched.delete(subchannel);
    }
    this.watches.clear();
  }
}
