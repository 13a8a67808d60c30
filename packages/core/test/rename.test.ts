import { createAuditor, InvalidOptionError } from '../src/index.js';

const registration = (name: string) => ({ name, kind: 'testdb', config: { maxOpen: 5 } });

describe('probe.rename()', () => {
  it("renames a pool record that is this registration's alone, history included", () => {
    const auditor = createAuditor();
    const probe = auditor.register(registration('testdb #1'));
    const conn = {};
    probe.opened(conn, { endpoint: '127.0.0.1:1' });
    probe.acquired(conn, probe.acquireStart(), false);
    probe.rename('orders');
    probe.released(conn);
    expect(auditor.poolNames()).toEqual(['orders']);
    const [pool] = auditor.snapshot().pools;
    expect(pool?.stats).toMatchObject({ created: 1, acquired: 1, open: 1, inUse: 0, idle: 1 });
  });

  it('moves a registration out of a shared record; what it had opened stays booked there until it closes', () => {
    const auditor = createAuditor();
    const a = auditor.register(registration('testdb'));
    const b = auditor.register(registration('testdb'));
    const old = {};
    a.opened(old, { endpoint: '127.0.0.1:1' });
    b.opened({}, { endpoint: '127.0.0.1:1' });
    a.rename('orders');
    const fresh = {};
    a.opened(fresh, { endpoint: '127.0.0.1:1' });
    a.acquired(old, a.acquireStart(), false);
    a.released(old);
    a.closed(old, 'shutdown');
    const byName = Object.fromEntries(auditor.snapshot().pools.map((p) => [p.name, p.stats]));
    expect(byName['testdb']).toMatchObject({ created: 2, open: 1, acquired: 1, pending: 0 });
    expect(byName['testdb']?.closed.shutdown).toBe(1);
    expect(byName['orders']).toMatchObject({ created: 1, open: 1, acquired: 0, pending: 0 });
  });

  it('refuses a name held by a pool of another kind, as register() does', () => {
    const auditor = createAuditor();
    auditor.register({ name: 'cache', kind: 'ioredis', config: {} });
    const probe = auditor.register(registration('testdb'));
    expect(() => probe.rename('cache')).toThrow(InvalidOptionError);
    expect(auditor.poolNames()).toEqual(['cache', 'testdb']);
  });
});
