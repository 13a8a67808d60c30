import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/index.js';

const examples = join(__dirname, '../../../examples/lint');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('poolaudit CLI', () => {
  it('prints usage, and exits 2 on no command, an unknown command or a bad flag', async () => {
    expect((await run('--help')).out).toContain('Usage: poolaudit <command>');
    expect((await run()).code).toBe(2);
    const unknown = await run('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "frobnicate"');
    const flag = await run('lint', '--format', 'xml', 'x.json');
    expect(flag.code).toBe(2);
    expect(flag.err).toContain('--format must be text, json or sarif, got xml');
    expect((await run('sockets', '--top', '0')).err).toContain('--top must be a positive integer, got 0');
  });

  it('lint prints the findings of a config file and exits 1 on errors', async () => {
    const { code, out } = await run('lint', join(examples, 'pools.yaml'));
    expect(code).toBe(1);
    for (const id of [
      'mysql2/max-idle-below-limit',
      'mysql2/max-connections-exceeded',
      'pg/server-idle-session-timeout-shorter',
      'pg/no-connection-timeout',
      'generic-pool/min-with-hard-idle-timeout',
      'undici/keep-alive-disabled',
      'http-agent/keep-alive-off',
      'grpc/keepalive-too-frequent',
    ]) {
      expect(out).toContain(id);
    }
    expect(out).toMatch(/1 error\(s\), \d+ warning\(s\)/);
  });

  it('lint exits 0 on a file without errors', async () => {
    const { code, out } = await run('lint', join(examples, 'pools.json'));
    expect(code).toBe(0);
    expect(out).toBe('No problems found.\n');
  });

  it('lint --format json and sarif are machine-readable', async () => {
    const json = JSON.parse((await run('lint', '--format', 'json', join(examples, 'pools.yaml'))).out) as {
      findings: { code: string; severity: string }[];
    };
    expect(json.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual([
      'mysql2/max-connections-exceeded',
    ]);
    const sarif = JSON.parse((await run('lint', '--format', 'sarif', join(examples, 'pools.yaml'))).out) as {
      version: string;
      runs: { results: { ruleId: string; level: string }[]; tool: { driver: { rules: { id: string }[] } } }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const results = sarif.runs[0]!.results;
    expect(results.length).toBe(json.findings.length);
    expect(results.find((r) => r.ruleId === 'mysql2/max-connections-exceeded')?.level).toBe('error');
    expect(sarif.runs[0]!.tool.driver.rules.map((r) => r.id)).toContain('undici/keep-alive-disabled');
  });

  it('a bad file gets one clear line with the path, never a stack trace', async () => {
    const missing = await run('lint', join(examples, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^poolaudit: .*nope\.yaml: cannot read the file: ENOENT/);
    expect(missing.err).not.toContain('    at ');
  });

  it('doctor --json reports the sysctls with their sources', async () => {
    const { code, out } = await run('doctor', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out) as { sysctls: { ipLocalPortRange: { name: string; source: string } } };
    expect(report.sysctls.ipLocalPortRange.name).toBe('net.ipv4.ip_local_port_range');
    expect(report.sysctls.ipLocalPortRange.source).toBe('proc');
  });
});

describe('poolaudit CLI basics', () => {
  it('--version prints the package version and a newline', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-v']) {
      const r = await run(flag);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`${version}\n`);
    }
  });

  it('every help text ends in a newline, and each command has its own', async () => {
    const general = await run('--help');
    expect(general.out.endsWith('\n')).toBe(true);
    for (const command of ['lint', 'sockets', 'doctor', 'demo']) {
      for (const argv of [
        [command, '--help'],
        [command, '-h'],
        ['help', command],
      ]) {
        const r = await run(...argv);
        expect(r.code).toBe(0);
        expect(r.out).toMatch(new RegExp(`^Usage: poolaudit ${command}`));
        expect(r.out.endsWith('\n')).toBe(true);
      }
    }
    expect((await run('lint', '--help')).out).toContain('--max-warnings <n>');
    expect((await run('sockets', '--help')).out).toContain('--local');
  });

  it('an unknown flag is named with the near miss, and the command help follows', async () => {
    const r = await run('lint', '--frmat', 'json', 'x.yaml');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^poolaudit: unknown option --frmat for lint; did you mean --format\?\n/);
    expect(r.err).toContain('Usage: poolaudit lint');
    expect(r.err.split('\n')[0]).not.toContain("'");
    expect((await run('sockets', '--prot', '3306')).err).toContain(
      'unknown option --prot for sockets; did you mean --port?',
    );
    expect((await run('sockets', '--max-warnings', '1')).err).toContain(
      'unknown option --max-warnings for sockets\n',
    );
    expect((await run('--verison')).err).toContain('unknown option --verison; did you mean --version?');
    expect((await run('lnt')).err).toContain('unknown command "lnt"; did you mean lint?');
    expect((await run('lint', '--format')).err).toContain('option --format needs a value');
    expect((await run('sockets', '--state', 'time_wait')).err).toContain(
      '--state must be time-wait, close-wait, established, got time_wait; did you mean time-wait?',
    );
    expect((await run('sockets', '--port', '70000')).err).toContain('--port must be a port number');
    expect((await run('sockets', '--remote', 'localhost:3306')).err).toContain('--remote must be an ip:port');
  });

  it('lint --max-warnings fails on more warnings than allowed (ESLint convention)', async () => {
    const clean = join(examples, 'pools.json');
    const warned = mkdtempSync(join(tmpdir(), 'poolaudit-cli-'));
    const file = join(warned, 'pools.json');
    writeFileSync(
      file,
      JSON.stringify({
        pools: [
          { name: 'db', kind: 'mysql2', options: { connectionLimit: 100, maxIdle: 10, queueLimit: 500 } },
        ],
      }),
    );
    expect((await run('lint', file)).code).toBe(0);
    expect((await run('lint', '--max-warnings', '1', file)).code).toBe(0);
    const over = await run('lint', '--max-warnings', '0', file);
    expect(over.code).toBe(1);
    expect(over.out).toContain('[warning] mysql2/max-idle-below-limit');
    expect(over.err).toBe('poolaudit: 1 warning(s), more than --max-warnings 0\n');
    expect((await run('lint', '--max-warnings', '0', clean)).code).toBe(0);
    expect((await run('lint', '--max-warnings', '-1', clean)).err).toContain(
      '--max-warnings must be an integer of 0 or more, got -1',
    );
  });
});
