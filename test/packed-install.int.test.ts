import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readmeBlocks } from './harness/readme-blocks.js';

// As a new user would: every package packed, the tarballs installed into a fresh app outside the repository
// with the latest major of every supported library from the registry, installed a second time (no ERESOLVE),
// a strict TypeScript app typechecked as CommonJS and as ESM, and the root README's Quick start run against
// this machine's MariaDB, checking what it prints. Needs `npm run build` first and the npm registry.
const root = join(__dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'poolaudit-packed-'));
const packs = join(work, 'packs');
const app = join(work, 'app');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

interface Packed {
  readonly name: string;
  readonly filename: string;
  readonly files: readonly { path: string }[];
}

/** Every library an adapter supports, at its registry `latest`. */
const LIBRARIES = [
  'mysql2',
  'ioredis',
  'undici',
  'generic-pool',
  'pg',
  '@opentelemetry/api',
  '@opentelemetry/sdk-metrics',
  '@grpc/grpc-js',
  'tarn',
  'redis',
];

const packages = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({
    dir,
    manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      private?: boolean;
    },
  }))
  .filter((p) => p.manifest.private !== true);

let packed: Packed[] = [];

function npm(args: readonly string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}

function node(
  args: readonly string[],
  cwd: string,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: `${r.stderr}${r.error ? String(r.error) : ''}` };
}

beforeAll(() => {
  mkdirSync(packs, { recursive: true });
  packed = packages.map(({ dir }) => {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', packs, '--loglevel=error'], {
      cwd: dir,
      encoding: 'utf8',
    });
    const [entry] = JSON.parse(out) as Packed[];
    return entry as Packed;
  });
  mkdirSync(app, { recursive: true });
  const dependencies: Record<string, string> = Object.fromEntries(
    packed.map((p) => [p.name, `file:../packs/${p.filename}`]),
  );
  for (const library of LIBRARIES) dependencies[library] = 'latest';
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'packed-app',
        version: '1.0.0',
        private: true,
        dependencies,
        // ioredis 6.1's declarations import `redis-errors`, which ships no types: a strict app that checks
        // its libraries' declarations (no skipLibCheck) needs @types/redis-errors, with or without poolaudit.
        devDependencies: { '@types/node': '^20', '@types/pg': 'latest', '@types/redis-errors': 'latest' },
      },
      null,
      2,
    ),
  );
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the packed packages in a fresh app', () => {
  it('every tarball carries LICENSE, README and the sources its maps point to', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(packages.map((p) => p.manifest.name).sort());
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    for (const p of packed) {
      const files = new Set(p.files.map((f) => f.path));
      expect({ name: p.name, license: files.has('LICENSE'), readme: files.has('README.md') }).toEqual({
        name: p.name,
        license: true,
        readme: true,
      });
      const dir = packages.find((q) => q.manifest.name === p.name)!.dir;
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(license);
      const missing: string[] = [];
      for (const map of [...files].filter((f) => f.endsWith('.map'))) {
        const { sources } = JSON.parse(readFileSync(join(dir, map), 'utf8')) as { sources: string[] };
        for (const s of sources) {
          const path = join(dirname(map), s).replaceAll('\\', '/');
          if (!files.has(path)) missing.push(`${map} → ${path}`);
        }
      }
      expect({ name: p.name, missing }).toEqual({ name: p.name, missing: [] });
    }
  });

  it('installs with the latest libraries, and installs again without ERESOLVE', () => {
    const first = npm(['install'], app);
    expect({ status: first.status, output: first.status === 0 ? '' : first.output }).toEqual({
      status: 0,
      output: '',
    });
    const ioredis = JSON.parse(readFileSync(join(app, 'node_modules/ioredis/package.json'), 'utf8')) as {
      version: string;
    };
    expect(Number(ioredis.version.split('.')[0])).toBeGreaterThanOrEqual(6);
    const second = npm(['install'], app);
    expect(second.output).not.toContain('ERESOLVE');
    expect(second.status).toBe(0);
  }, 240_000);

  it.each(['commonjs', 'module'] as const)(
    'typechecks a strict %s TypeScript app and runs the Quick start against the real servers',
    (type) => {
      const quickStart = readmeBlocks(root, 'README.md').find((b) => b.lang === 'ts' && b.mode === 'run');
      expect(quickStart).toBeDefined();
      const dir = join(app, type);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ type }));
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'nodenext',
            moduleResolution: 'nodenext',
            strict: true,
            noUncheckedIndexedAccess: true,
            exactOptionalPropertyTypes: true,
            esModuleInterop: true,
            // Every declaration file checked once (CommonJS); the ESM leg checks the app's own code.
            skipLibCheck: type === 'module',
            types: ['node'],
            outDir: 'out',
          },
          include: ['*.ts'],
        }),
      );
      writeFileSync(join(dir, 'quick-start.ts'), quickStart!.code);
      // Every package's declarations, loaded by a strict compiler without skipLibCheck.
      writeFileSync(
        join(dir, 'every-package.ts'),
        packed
          .map((p, i) => `import type * as p${i} from '${p.name}';\nexport type T${i} = typeof p${i};\n`)
          .join(''),
      );
      const compiled = node([tsc, '-p', dir, '--pretty', 'false'], dir);
      expect({ type, output: compiled.stdout + compiled.stderr }).toEqual({ type, output: '' });
      const ran = node([join(dir, 'out/quick-start.js')], dir);
      expect({ type, status: ran.status, stderr: ran.status === 0 ? '' : ran.stderr }).toEqual({
        type,
        status: 0,
        stderr: '',
      });
      // What the README shows: the lint's warning, then the pool's DBStats line after the burst.
      expect(ran.stderr).toContain(
        'poolaudit: [warning] mysql2/max-idle-below-limit (orders-db): maxIdle=10 is below connectionLimit=100',
      );
      expect(ran.stdout).toMatch(
        /^orders-db \{MaxOpenConnections:100 OpenConnections:\d+ InUse:0 Idle:\d+ WaitCount:0 WaitDuration:0s MaxIdleClosed:\d+ MaxIdleTimeClosed:0 MaxLifetimeClosed:0\}$/m,
      );
    },
    400_000,
  );

  it('the CLI alone pulls no database driver, and its bin runs', () => {
    const cliOnly = join(work, 'cli-only');
    mkdirSync(cliOnly, { recursive: true });
    // The CLI and the packages it depends on (the adapters, for their lint rules), from the tarballs.
    const cli = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as {
      name: string;
      dependencies: Record<string, string>;
    };
    // Every workspace package the CLI reaches through dependencies (register brings opentelemetry, …).
    const workspaceDeps = (name: string): string[] => {
      const dir = name === cli.name ? 'cli' : name.replace('@poolaudit/', '');
      const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      };
      return Object.keys(manifest.dependencies ?? {}).filter((d) => packed.some((p) => p.name === d));
    };
    const needed = new Set<string>([cli.name]);
    for (const name of needed) for (const dep of workspaceDeps(name)) needed.add(dep);
    const dependencies = Object.fromEntries(
      packed.filter((p) => needed.has(p.name)).map((p) => [p.name, `file:../packs/${p.filename}`]),
    );
    writeFileSync(
      join(cliOnly, 'package.json'),
      JSON.stringify({ name: 'cli-only', version: '1.0.0', private: true, dependencies }),
    );
    const installed = npm(['install'], cliOnly);
    expect({ status: installed.status, output: installed.status === 0 ? '' : installed.output }).toEqual({
      status: 0,
      output: '',
    });
    for (const driver of ['mysql2', 'ioredis', 'undici', 'generic-pool', 'pg', 'redis', '@grpc/grpc-js']) {
      expect({ driver, installed: existsSync(join(cliOnly, 'node_modules', driver)) }).toEqual({
        driver,
        installed: false,
      });
    }
    const version = spawnSync(join(cliOnly, 'node_modules/.bin/poolaudit'), ['--version'], {
      encoding: 'utf8',
    });
    expect(version.stdout).toBe(
      `${JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')).version as string}\n`,
    );
    const demo = spawnSync(
      join(cliOnly, 'node_modules/.bin/poolaudit'),
      ['lint', join(root, 'examples/lint/pools.json')],
      { encoding: 'utf8' },
    );
    expect(demo.stdout).toBe('No problems found.\n');
  }, 120_000);
});
