import { createAuditor } from '@poolaudit/core';
import type { Auditor, AuditorOptions, PoolSnapshot } from '@poolaudit/core';

/** A resource with an id, so that logs can name it. */
export interface Thing {
  readonly id: number;
}

/** A factory of plain objects that records its calls; `failCreate`/`failDestroy`/`invalid` pick ids to fail. */
export function thingFactory(
  options: {
    failCreate?: ReadonlySet<number>;
    failDestroy?: ReadonlySet<number>;
    invalid?: ReadonlySet<number>;
    log?: string[];
  } = {},
) {
  let next = 0;
  const log = options.log ?? [];
  return {
    log,
    created: () => next,
    factory: {
      async create(): Promise<Thing> {
        const id = ++next;
        log.push(`create ${id}`);
        await Promise.resolve();
        if (options.failCreate?.has(id)) throw new Error(`create ${id} failed`);
        return { id };
      },
      async destroy(thing: Thing): Promise<void> {
        log.push(`destroy ${thing.id}`);
        await Promise.resolve();
        if (options.failDestroy?.has(thing.id)) throw new Error(`destroy ${thing.id} failed`);
      },
      async validate(thing: Thing): Promise<boolean> {
        log.push(`validate ${thing.id}`);
        await Promise.resolve();
        return options.invalid?.has(thing.id) !== true;
      },
    },
  };
}

/** A fresh auditor and a reader of its one pool. */
export function auditorFor(options?: AuditorOptions): { auditor: Auditor; pool: () => PoolSnapshot } {
  const auditor = createAuditor({ logger: { info: () => undefined, warn: () => undefined }, ...options });
  return {
    auditor,
    pool: () => {
      const pool = auditor.snapshot().pools[0];
      if (!pool) throw new Error('no pool registered');
      return pool;
    },
  };
}
