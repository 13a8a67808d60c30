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

  it('leaves a record shared by several registrations, or a taken name, as it is, and says so once', () => {
    const warnings: string[] = [];
    const auditor = createAuditor({ logger: { info: () => undefined, warn: (m) => warnings.push(m) } });
    const a = auditor.register(registration('testdb'));
    auditor.register(registration('testdb'));
    const c = auditor.register(registration('orders'));
    a.rename('payments');
    a.rename('payments');
    c.rename('testdb');
    expect(auditor.poolNames()).toEqual(['testdb', 'orders']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('"testdb" is shared by 2 registrations; it keeps its name');
    expect(warnings[1]).toContain('the name "testdb" is another pool\'s record; "orders" keeps its name');
  });

  it('refuses a name held by a pool of another kind, as register() does', () => {
    const auditor = createAuditor();
    auditor.register({ name: 'cache', kind: 'ioredis', config: {} });
    const probe = auditor.register(registration('testdb'));
    expect(() => probe.rename('cache')).toThrow(InvalidOptionError);
    expect(auditor.poolNames()).toEqual(['cache', 'testdb']);
  });
});
