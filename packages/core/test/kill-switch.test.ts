import { DISABLE_VARIABLE, createAuditor, readKillSwitch } from '../src/index.js';

describe('POOLAUDIT_DISABLE', () => {
  afterEach(() => {
    delete process.env['POOLAUDIT_DISABLE'];
  });

  it('reads off, all, or a list of library kinds', () => {
    for (const off of [undefined, '', ' ', '0', 'false', 'FALSE'])
      expect(readKillSwitch(off)).toEqual(new Set());
    for (const all of ['1', 'true', 'all', '*', ' ALL ']) expect(readKillSwitch(all)).toBe('all');
    expect(readKillSwitch('mysql2,ioredis')).toEqual(new Set(['mysql2', 'ioredis']));
    expect(readKillSwitch(' Undici  generic-pool, ')).toEqual(new Set(['undici', 'generic-pool']));
  });

  it('switches off the kinds it names in every auditor created while it is set, and says so once', () => {
    process.env[DISABLE_VARIABLE] = 'mysql2';
    const lines: string[] = [];
    const auditor = createAuditor({ logger: { info: (l) => lines.push(l), warn: (l) => lines.push(l) } });
    expect(auditor.enabled).toBe(true);
    expect(auditor.audits('mysql2')).toBe(false);
    expect(auditor.audits('mysql2')).toBe(false);
    expect(auditor.audits('ioredis')).toBe(true);
    const probe = auditor.register({ name: 'orders', kind: 'mysql2', config: {} });
    probe.opened({}, { endpoint: '127.0.0.1:3306' });
    expect(auditor.poolNames()).toEqual([]);
    auditor.register({ name: 'cache', kind: 'ioredis', config: {} });
    expect(auditor.poolNames()).toEqual(['cache']);
    expect(lines).toEqual(['POOLAUDIT_DISABLE names mysql2: mysql2 pools are not audited']);
  });

  it('set to 1, disables the auditor altogether; unset, changes nothing', () => {
    process.env[DISABLE_VARIABLE] = '1';
    const lines: string[] = [];
    const off = createAuditor({ logger: { info: (l) => lines.push(l), warn: (l) => lines.push(l) } });
    expect(off.enabled).toBe(false);
    expect(off.audits('undici')).toBe(false);
    expect(off.audits('mysql2')).toBe(false);
    expect(lines).toEqual(['POOLAUDIT_DISABLE is on: no pool is audited']);
    delete process.env['POOLAUDIT_DISABLE'];
    const on = createAuditor();
    expect(on.enabled).toBe(true);
    expect(on.audits('undici')).toBe(true);
    // enabled: false is a choice of the code, not the switch: nothing is logged for it.
    const quiet: string[] = [];
    const disabled = createAuditor({
      enabled: false,
      logger: { info: (l) => quiet.push(l), warn: (l) => quiet.push(l) },
    });
    expect(disabled.audits('undici')).toBe(false);
    expect(quiet).toEqual([]);
  });
});
