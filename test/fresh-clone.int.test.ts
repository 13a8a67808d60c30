import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A fresh clone of this repository's HEAD, `npm ci` as the root README says, then the CLI through `npx`:
// the bin must exist at install time and carry its run bit, and the packages must be built by then.
const root = join(__dirname, '..');
const clone = join(mkdtempSync(join(tmpdir(), 'poolaudit-clone-')), 'poolaudit');

function sh(command: string, args: readonly string[], cwd: string, timeout = 60_000) {
  const r = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    // The build `npm ci` runs (the root prepare script) may take this checkout's turbo cache: the same sources
    // give the same outputs, and a restored output is what lost the bin's run bit before it was committed.
    env: {
      ...process.env,
      npm_config_update_notifier: 'false',
      TURBO_TELEMETRY_DISABLED: '1',
      TURBO_CACHE_DIR: join(root, '.turbo/cache'),
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: `${r.stderr}${r.error ? String(r.error) : ''}` };
}

beforeAll(() => {
  const cloned = sh('git', ['clone', '--quiet', root, clone], root);
  expect(cloned.stderr).toBe('');
  // --prefer-offline: the packages come from npm's cache when this machine has them.
  const ci = sh(
    'npm',
    ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    clone,
    240_000,
  );
  expect({ status: ci.status, stderr: ci.status === 0 ? '' : ci.stderr }).toEqual({ status: 0, stderr: '' });
}, 300_000);

afterAll(() => {
  rmSync(join(clone, '..'), { recursive: true, force: true });
});

describe('a fresh clone after npm ci', () => {
  it('npx poolaudit --version prints the version; the bin is executable', () => {
    const { version } = JSON.parse(readFileSync(join(clone, 'packages/cli/package.json'), 'utf8')) as {
      version: string;
    };
    const r = sh('npx', ['poolaudit', '--version'], clone);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: 0,
      stdout: `${version}\n`,
      stderr: '',
    });
    expect(statSync(join(clone, 'packages/cli/bin/poolaudit.js')).mode & 0o111).not.toBe(0);
  });

  it('npx poolaudit sockets --port 3306 reads the kernel table', () => {
    const r = sh('npx', ['poolaudit', 'sockets', '--port', '3306'], clone);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^remote endpoint +TIME_WAIT +CLOSE_WAIT +ESTAB +port budget$/m);
    expect(r.stdout).toMatch(/ephemeral ports per destination\n$/);
  });

  it('npx poolaudit lint --max-warnings 0 examples/lint/pools.yaml exits 1 with the findings', () => {
    const r = sh('npx', ['poolaudit', 'lint', '--max-warnings', '0', 'examples/lint/pools.yaml'], clone);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('[error] mysql2/max-connections-exceeded');
    expect(r.stdout).toContain('[warning] mysql2/max-idle-below-limit');
    expect(r.stderr).toMatch(/^poolaudit: \d+ warning\(s\), more than --max-warnings 0\n$/);
  });
});
