import { endpointKey } from '@poolaudit/core';
import { ProcReadError, readSocketTable } from '../src/index.js';
import { ipv4FromWord, ipv6FromWords } from '../src/internal/address.js';
import type { FixtureSocket } from './support/proc-fixture.js';
import {
  ProcFixture,
  TCP6_HEADER,
  TCP_HEADER,
  addressHex,
  tableFile,
  tableLine,
} from './support/proc-fixture.js';

const DB: [string, number] = ['10.0.0.5', 3306];
const REDIS6: [string, number] = ['2001:db8::7', 6379];

function tw(localPort: number, remote: [string, number], ticks = 5968): FixtureSocket {
  return { local: ['10.0.0.1', localPort], remote, st: 6, tr: 3, when: ticks };
}

let fx: ProcFixture;
beforeEach(() => {
  fx = new ProcFixture();
});
afterEach(() => fx.remove());

describe('address decoding', () => {
  it('reads IPv4 words in the kernel byte order', () => {
    expect(ipv4FromWord(0x0100007f, true)).toBe('127.0.0.1');
    expect(ipv4FromWord(0x7f000001, false)).toBe('127.0.0.1');
    expect(ipv4FromWord(0x0a00000a, true)).toBe('10.0.0.10');
  });

  it('formats IPv6 the way sockets report remoteAddress, so keys match endpointKey', () => {
    const cases = [
      '::1',
      '::',
      '2001:db8::7',
      'fe80::1:2',
      '2001:db8:0:1:1:1:1:1',
      '1::',
      'fd00:1:2:3:4:5:6:7',
    ];
    for (const ip of cases) {
      const hex = addressHex(ip, true);
      const words = [0, 8, 16, 24].map((o) => parseInt(hex.slice(o, o + 8), 16));
      expect(ipv6FromWords(words, true)).toBe(ip);
      const beHex = addressHex(ip, false);
      const beWords = [0, 8, 16, 24].map((o) => parseInt(beHex.slice(o, o + 8), 16));
      expect(ipv6FromWords(beWords, false)).toBe(ip);
    }
    // The kernel's own example: ::1 on little-endian.
    expect(ipv6FromWords([0, 0, 0, 0x01000000], true)).toBe('::1');
  });
});

describe('readSocketTable on fixture files', () => {
  it('counts per (state, remote endpoint) and per local endpoint, IPv4 and IPv6', async () => {
    fx.standard(
      [
        tw(40001, DB),
        tw(40002, DB, 100),
        tw(40003, DB, 2000),
        { local: ['10.0.0.1', 40004], remote: DB, st: 1 },
        { local: ['10.0.0.1', 40005], remote: DB, st: 8 },
        { local: ['0.0.0.0', 8080], remote: ['0.0.0.0', 0], st: 10 },
        { local: ['10.0.0.1', 8080], remote: ['10.0.0.9', 51000], st: 6 },
      ],
      [
        { local: ['2001:db8::1', 40010], remote: REDIS6, st: 1 },
        { local: ['2001:db8::1', 40011], remote: REDIS6, st: 6 },
      ],
    );
    const t = await readSocketTable({ procRoot: fx.root, offThread: false });
    expect(t.partial).toBe(false);
    expect(t.lines).toBe(9);
    const db = t.byRemote.get(endpointKey(...DB));
    expect(db).toMatchObject({ timeWait: 3, established: 1, closeWait: 1, listen: 0 });
    expect(t.byRemote.get(endpointKey(...REDIS6))).toMatchObject({ timeWait: 1, established: 1 });
    expect(t.timeWaitRemaining.get('10.0.0.5:3306')).toEqual({ min: 1, max: 59.68 });
    expect(t.byLocal.get('10.0.0.1:8080')).toMatchObject({ timeWait: 1 });
    expect(t.byLocal.get('0.0.0.0:8080')).toMatchObject({ listen: 1 });
    expect(t.totals).toMatchObject({ timeWait: 5, established: 2, closeWait: 1, listen: 1 });
  });

  it('folds v4-mapped IPv6 into the IPv4 key', async () => {
    fx.standard(
      [tw(40001, DB)],
      [
        { local: ['::ffff:10.0.0.1', 40002], remote: ['::ffff:10.0.0.5', 3306], st: 6 },
        { local: ['::ffff:10.0.0.5', 3306], remote: ['::ffff:10.0.0.1', 40003], st: 8 },
      ],
    );
    const t = await readSocketTable({ procRoot: fx.root, offThread: false, listSockets: true });
    expect(t.byRemote.get('10.0.0.5:3306')?.timeWait).toBe(2);
    expect(t.byLocal.get('10.0.0.5:3306')?.closeWait).toBe(1);
    expect(t.sockets?.filter((s) => s.file === 'tcp6').map((s) => s.remote)).toEqual([
      '10.0.0.5:3306',
      '10.0.0.1:40003',
    ]);
  });

  it('filters by remote endpoints, local endpoints and states', async () => {
    fx.standard([
      tw(40001, DB),
      { local: ['10.0.0.1', 40004], remote: DB, st: 1 },
      tw(40002, ['10.0.0.6', 3306]),
      { local: ['10.0.0.1', 8080], remote: ['10.0.0.9', 51000], st: 6 },
    ]);
    const remoteOnly = await readSocketTable({
      procRoot: fx.root,
      remote: ['10.0.0.5:3306'],
      offThread: false,
    });
    expect([...remoteOnly.byRemote.keys()]).toEqual(['10.0.0.5:3306']);
    expect(remoteOnly.byLocal.size).toBe(0);
    expect(remoteOnly.totals.timeWait).toBe(3);

    const both = await readSocketTable({
      procRoot: fx.root,
      remote: ['10.0.0.5:3306'],
      local: ['10.0.0.1:8080'],
      states: ['timeWait'],
      listSockets: true,
      offThread: false,
    });
    expect(both.byRemote.get('10.0.0.5:3306')).toMatchObject({ timeWait: 1, established: 0 });
    expect([...both.byLocal.keys()]).toEqual(['10.0.0.1:8080']);
    expect(both.totals).toMatchObject({ timeWait: 3, established: 0 });
    expect(both.sockets?.map((s) => `${s.local}>${s.remote}`)).toEqual([
      '10.0.0.1:40001>10.0.0.5:3306',
      '10.0.0.1:8080>10.0.0.9:51000',
    ]);
  });

  it('decodes tables written by a big-endian kernel', async () => {
    fx.write('net/tcp', tableFile(TCP_HEADER, [tw(40001, DB)], false)).write(
      'net/tcp6',
      tableFile(TCP6_HEADER, [{ local: ['::1', 40002], remote: ['::1', 6379], st: 1 }], false),
    );
    const t = await readSocketTable({ procRoot: fx.root, endianness: 'BE', offThread: false });
    expect(t.byRemote.get('10.0.0.5:3306')?.timeWait).toBe(1);
    expect(t.byRemote.get('[::1]:6379')?.established).toBe(1);
  });

  it('reads the slot number past 9999 entries, where the column widens', async () => {
    const line = tableLine(123456, tw(40001, DB));
    fx.write('net/tcp', `${TCP_HEADER}\n${line}\n`).write('net/tcp6', `${TCP6_HEADER}\n`);
    const t = await readSocketTable({ procRoot: fx.root, offThread: false });
    expect(t.byRemote.get('10.0.0.5:3306')?.timeWait).toBe(1);
    expect(t.partial).toBe(false);
  });

  it('gives the same answer in a worker thread as inline', async () => {
    const sockets = Array.from({ length: 500 }, (_, i) => tw(40000 + i, i % 2 ? DB : ['10.0.0.6', 3306]));
    fx.standard(sockets, [{ local: ['::1', 40002], remote: ['::1', 6379], st: 1 }]);
    const inline = await readSocketTable({ procRoot: fx.root, offThread: false, listSockets: true });
    const worker = await readSocketTable({ procRoot: fx.root, offThread: true, listSockets: true });
    expect(inline.offThread).toBe(false);
    // The worker runs the compiled copy in dist/: `npx tsc -b packages/host` builds it.
    expect(worker.offThread).toBe(true);
    expect(worker.byRemote).toEqual(inline.byRemote);
    expect(worker.byLocal).toEqual(inline.byLocal);
    expect(worker.sockets).toEqual(inline.sockets);
    expect(worker.byRemote.get('10.0.0.5:3306')?.timeWait).toBe(250);
  });

  it("'auto' moves to a worker when sockstat shows a big table", async () => {
    fx.standard([tw(40001, DB)]);
    const small = await readSocketTable({ procRoot: fx.root });
    expect(small.offThread).toBe(false);
    fx.write('net/sockstat', 'TCP: inuse 3000 orphan 0 tw 5000 alloc 3000 mem 10\n');
    const big = await readSocketTable({ procRoot: fx.root });
    expect(big.offThread).toBe(true);
    expect(big.byRemote.get('10.0.0.5:3306')?.timeWait).toBe(1);
  });
});

describe('unreadable or malformed /proc content', () => {
  it('marks a truncated last line and a file cut mid-line as partial, keeping the good lines', async () => {
    const full = tableFile(TCP_HEADER, [tw(40001, DB), tw(40002, DB), tw(40003, DB)]);
    // Cut 30 characters into the last line, the way a short read would leave it.
    fx.standard().write('net/tcp', full.slice(0, full.lastIndexOf('\n', full.length - 2) + 31));
    const t = await readSocketTable({ procRoot: fx.root, offThread: false });
    expect(t.partial).toBe(true);
    expect(t.byRemote.get('10.0.0.5:3306')?.timeWait).toBe(2);
    expect(t.problems.map((p) => p.kind)).toEqual(['truncated-line', 'malformed-line']);
    expect(t.problems[0]?.message).toContain('cut short');
  });

  it('skips garbage lines and says where they were', async () => {
    const good = tableLine(0, tw(40001, DB));
    const text = [
      TCP_HEADER,
      good,
      'this is not a socket',
      good.replace('0500000A', 'ZZ00000A'),
      good.replace(' 06 ', ' 0F '),
      good.slice(0, 40),
      '',
      good,
    ].join('\n');
    fx.standard().write('net/tcp', `${text}\n`);
    const t = await readSocketTable({ procRoot: fx.root, offThread: false });
    expect(t.partial).toBe(true);
    expect(t.byRemote.get('10.0.0.5:3306')?.timeWait).toBe(2);
    expect(t.problems.map((p) => [p.kind, p.line])).toEqual([
      ['malformed-line', 3],
      ['malformed-line', 4],
      ['malformed-line', 5],
      ['malformed-line', 6],
    ]);
    expect(t.problems[2]?.message).toContain('unknown state 15');
  });

  it('reports a missing header, an empty file and a missing file', async () => {
    fx.standard()
      .write('net/tcp', `${tableLine(0, tw(40001, DB))}\n`)
      .write('net/tcp6', '');
    const t = await readSocketTable({ procRoot: fx.root, offThread: false });
    expect(t.partial).toBe(true);
    expect(t.byRemote.get('10.0.0.5:3306')?.timeWait).toBe(1);
    expect(t.problems.map((p) => p.kind)).toEqual(['bad-header', 'empty']);

    fx.standard([tw(40001, DB)]).delete('net/tcp6');
    const missing = await readSocketTable({ procRoot: fx.root, offThread: false });
    expect(missing.partial).toBe(true);
    expect(missing.problems[0]).toMatchObject({ kind: 'missing' });
    expect(missing.problems[0]?.message).toContain('IPv6 sockets');
  });

  it('caps the list of problems and says how many more there were', async () => {
    const garbage = Array.from({ length: 50 }, () => 'garbage').join('\n');
    fx.standard().write('net/tcp', `${TCP_HEADER}\n${garbage}\n`);
    const t = await readSocketTable({ procRoot: fx.root, offThread: false });
    expect(t.problems).toHaveLength(21);
    expect(t.problems[20]).toMatchObject({ kind: 'more-problems', message: '30 more problems not listed' });
  });

  it('rejects with ProcReadError when neither table can be read, inline and in a worker', async () => {
    fx.write('net/sockstat', 'TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 0\n');
    await expect(readSocketTable({ procRoot: fx.root, offThread: false })).rejects.toThrow(ProcReadError);
    await expect(readSocketTable({ procRoot: fx.root, offThread: true })).rejects.toMatchObject({
      code: 'POOLAUDIT_PROC_UNREADABLE',
      message: expect.stringContaining('could not be read (ENOENT)'),
    });
  });

  it('throws on bad options at once, naming them', () => {
    expect(() => readSocketTable({ states: ['timewait' as never] })).toThrow(/states must be/);
    expect(() => readSocketTable({ remote: ['db.example'] })).toThrow(/remote must be/);
    expect(() => readSocketTable({ offThread: 'yes' as never })).toThrow(/offThread must be/);
    expect(() => readSocketTable({ userHz: 0 })).toThrow(/userHz must be a positive number, got 0/);
    expect(() => readSocketTable({ procRoot: '' })).toThrow(/procRoot must be a directory path/);
  });
});
