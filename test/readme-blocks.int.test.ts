import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installedPackages, markdownFiles, readmeBlocks, shellCommands } from './harness/readme-blocks.js';
import type { ReadmeBlock } from './harness/readme-blocks.js';

// Every ts/js/sh block of every README (and of docs/) is a test: ts blocks are compiled together, strict and
// as CommonJS, against the built packages and run one by one against this machine's servers; js blocks are
// run; sh blocks are run from the repository root (an install line is checked against the workspace instead
// of reaching the registry). A block marked `<!-- readme-test: typecheck-only … -->` is compiled but not run,
// `not-run` (sh) has only its install lines checked. Needs `npm run build` first (npm test builds).
const root = join(__dirname, '..');
const work = join(root, 'node_modules/.cache/readme-blocks');
const blocks = markdownFiles(root).flatMap((file) => readmeBlocks(root, file));
const source = (i: number, b: ReadmeBlock): string =>
  b.lang === 'ts' ? `b${i}.ts` : `b${i}.${/^import\s/m.test(b.code) ? 'mjs' : 'js'}`;

const workspaces = new Set(
  readdirSync(join(root, 'packages')).map(
    (dir) =>
      (JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { name: string })
        .name,
  ),
);

/** Commands a block may show but the harness must not run: installs into this checkout, the test run itself. */
const UNSAFE =
  /(^|&&|;)\s*(npm (ci|install|i|test|t|run (test|bench|demo))\b|git (clone|checkout|reset)\b|rm )/;

/** tsc's errors per block file. */
let compileErrors = new Map<string, string[]>();

beforeAll(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // What a TypeScript user with a strict CommonJS project compiles: module nodenext in a "type": "commonjs" package.
  writeFileSync(join(work, 'package.json'), JSON.stringify({ private: true, type: 'commonjs' }));
  writeFileSync(
    join(work, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023', 'DOM'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noUncheckedIndexedAccess: true,
        esModuleInterop: true,
        skipLibCheck: true,
        types: ['node'],
        outDir: 'out',
        rootDir: '.',
      },
      include: ['*.ts'],
    }),
  );
  blocks.forEach((b, i) => {
    // `export {}` makes each block a module of its own, as a file of the user's would be.
    writeFileSync(join(work, source(i, b)), b.lang === 'ts' ? `${b.code}export {};\n` : b.code);
  });
  const tsc = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', work, '--pretty', 'false'],
    {
      encoding: 'utf8',
    },
  );
  compileErrors = new Map();
  for (const line of tsc.stdout.split('\n')) {
    const m = /(?:^|\/)(b\d+\.ts)\((\d+),\d+\): (.*)$/.exec(line);
    if (m)
      compileErrors.set(m[1] as string, [...(compileErrors.get(m[1] as string) ?? []), `${m[2]}: ${m[3]}`]);
  }
}, 120_000);

function run(file: string, args: readonly string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync(file, args, {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}`.slice(-3000) };
}

describe('README code blocks', () => {
  it('there are blocks to test, and the harness found the root Quick start', () => {
    expect(blocks.length).toBeGreaterThan(10);
    expect(blocks.some((b) => b.file === 'README.md' && b.lang === 'ts' && b.mode === 'run')).toBe(true);
  });

  it.each(
    blocks.map(
      (b, i) => [`${b.file}:${b.line} (${b.lang}${b.mode === 'run' ? '' : `, ${b.mode}`})`, i, b] as const,
    ),
  )(
    '%s',
    (_where, i, block) => {
      const where = `${block.file}:${block.line}`;
      const file = source(i, block);
      if (block.lang === 'ts') {
        const errors = (compileErrors.get(file) ?? []).map((e) => {
          const [line, ...text] = e.split(': ');
          return `${block.file}:${block.line + Number(line)}: ${text.join(': ')}`;
        });
        expect({ where, errors }).toEqual({ where, errors: [] });
        if (block.mode !== 'run') return;
        const r = run(process.execPath, [join(work, 'out', file.replace(/\.ts$/, '.js'))], root);
        expect({ where, status: r.status, output: r.status === 0 ? '' : r.output }).toEqual({
          where,
          status: 0,
          output: '',
        });
        return;
      }
      if (block.lang === 'js') {
        const check = run(process.execPath, ['--check', join(work, file)], root);
        expect({ where, status: check.status, output: check.status === 0 ? '' : check.output }).toEqual({
          where,
          status: 0,
          output: '',
        });
        if (block.mode !== 'run') return;
        const r = run(process.execPath, [join(work, file)], root);
        expect({ where, status: r.status, output: r.status === 0 ? '' : r.output }).toEqual({
          where,
          status: 0,
          output: '',
        });
        return;
      }
      // The block runs as one script (its lines share the directory, variables and background jobs); each
      // command must end with the status it promises (0 unless its comment says `exits N`).
      const script: string[] = [];
      shellCommands(block.code).forEach(({ command, expectedStatus }, n) => {
        const installs = installedPackages(command);
        if (installs) {
          const unknown = installs.filter((name) => !workspaces.has(name) && !resolvable(name));
          expect({ where, command, unknown }).toEqual({ where, command, unknown: [] });
          return;
        }
        // Never run what would rewrite this checkout or recurse into the test run: such a block must be marked.
        if (block.mode === 'run') {
          expect({ where, command, mustBeMarkedNotRun: UNSAFE.test(command) }).toEqual({
            where,
            command,
            mustBeMarkedNotRun: false,
          });
        }
        script.push(
          command.endsWith('&')
            ? command
            : `${command}\ns=$?; [ "$s" -eq ${expectedStatus} ] || { echo "command ${n + 1} exited $s, not ${expectedStatus}: ${command.replace(/["`$\\]/g, '.')}" >&2; exit 1; }`,
        );
      });
      if (block.mode !== 'run' || script.length === 0) return;
      // Background jobs the block starts (a server) end with it.
      const r = run('bash', ['-c', ["trap 'kill $(jobs -p) 2>/dev/null' EXIT", ...script].join('\n')], root);
      expect({ where, status: r.status, output: r.status === 0 ? '' : r.output }).toEqual({
        where,
        status: 0,
        output: '',
      });
    },
    90_000,
  );
});

/** A library this repository installs (so a README may tell users to install it). */
function resolvable(name: string): boolean {
  return existsSync(join(root, 'node_modules', name, 'package.json'));
}
