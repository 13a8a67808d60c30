import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../../test/harness/kernel-sockets';
import { REPO_ROOT, startNode } from '../../../test/harness/node-child';

const CLI = join(REPO_ROOT, 'packages/cli/bin/poolaudit.js');
const APP = ['node', 'examples/zero-code/app.js'];
const GO_LINE =
  /mysql2 root@127\.0\.0\.1:3306\/test \{MaxOpenConnections:100 OpenConnections:\d+ InUse:\d+ Idle:\d+ .*MaxIdleClosed:\d+/;
const DESTINATION =
  /→ 127\.0\.0\.1:3306 TIME_WAIT counted \d+ · confirmed \d+ \([\d.]+\/s\) · port budget [\d.]+% · kernel \d+ \(host, this process [\d.]+%\)/;

describe('poolaudit run -- <command>', () => {
  it('piped: plain lines — Go line, destination, the finding with advice, and the exit summary', async () => {
    const run = startNode([CLI, 'run', '--interval', '1', '--', ...APP], { DURATION_MS: '4000' });
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    const out = run.stdout();
    expect(out).toMatch(GO_LINE);
    expect(out).toMatch(DESTINATION);
    expect(out).toMatch(
      /^poolaudit: \[warning\] max-idle-churn mysql2 root@127\.0\.0\.1:3306\/test: .*maxIdle=10/m,
    );
    expect(out).toMatch(/^ {2}→ Set maxIdle to at least \d+/m);
    // The service's own output passes through, and the summary comes last.
    expect(out).toMatch(/^service: \d+ queries, \d+ requests, 0 errors$/m);
    const summary = out.slice(out.indexOf('poolaudit run: the service exited with code 0.'));
    expect(summary).toMatch(/mysql2 root@127\.0\.0\.1:3306\/test: \d+ opened, closed maxIdle \d+/);
    expect(summary).toMatch(
      /\[warning\] max-idle-churn mysql2 root@127\.0\.0\.1:3306\/test\n {4}.+\n {4}→ Set maxIdle/,
    );
    expect(out).not.toContain('\x1b[');
  });

  it('POOLAUDIT_PROCESS_SOCKETS=1: the connections no adapter audits, with the code that makes them', async () => {
    const run = startNode(
      [CLI, 'run', '--interval', '1', '--', 'node', 'packages/register/test/fixtures/unaudited-app.js'],
      { DURATION_MS: '8000', POOLAUDIT_PROCESS_SOCKETS: '1' },
    );
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    const out = run.stdout();
    expect(out).toMatch(
      /→ 127\.0\.0\.1:\d+ unaudited: open 0 · created \d+ · TIME_WAIT confirmed \d+ \([\d.]+\/s\) · from packages\/register\/test\/fixtures\/unaudited-app\.js:\d+ via node:net/,
    );
    expect(out).toMatch(
      /^poolaudit: \[info\] unaudited-time-wait \(unaudited\) → 127\.0\.0\.1:\d+: .*made at packages\/register/m,
    );
    expect(out).toMatch(/^app: \d+ connections$/m);
  });

  it('--json: only JSON lines on stdout, the service’s output on stderr, and its exit code', async () => {
    const run = startNode([
      CLI,
      'run',
      '--json',
      '--interval',
      '1',
      '--',
      'node',
      '-e',
      "require('mysql2').createPool({uri:'mysql://root@127.0.0.1:3306/test'}).end(); console.log('hello'); process.exitCode = 3",
    ]);
    expect(await run.exited()).toEqual({ code: 3, signal: null });
    const messages = run
      .stdout()
      .trimEnd()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { type: string; exit?: unknown; processes?: { pools: { name: string }[] }[] },
      );
    const summary = messages.at(-1);
    expect(summary?.type).toBe('summary');
    expect(summary?.exit).toEqual({ code: 3, signal: null });
    expect(summary?.processes?.[0]?.pools.map((p) => p.name)).toEqual(['mysql2 root@127.0.0.1:3306/test']);
    expect(run.stderr()).toBe('hello\n');
  });

  const tmux = hasTmux();
  (tmux ? it : it.skip)('on a terminal (tmux): one panel redrawn in place, then the summary', async () => {
    const session = `poolaudit-run-${process.pid}`;
    const done = join(tmpdir(), `${session}.done`);
    const shell = `cd ${REPO_ROOT} && DURATION_MS=4000 node ${CLI} run -- ${APP.join(' ')}; echo "exit $?" > ${done}; sleep 60`;
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '200', '-y', '50', shell]);
    const capture = (): string =>
      execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
    try {
      // While it runs: the status panel, once, with the pool's Go line.
      expect(await eventually(() => GO_LINE.test(capture()), 10_000, 100)).toBe(true);
      const live = capture();
      expect(live.split('poolaudit run: node examples/zero-code/app.js').length - 1).toBe(1);
      expect(await eventually(() => capture().includes('the service exited with code 0.'), 15_000, 100)).toBe(
        true,
      );
      const end = capture();
      expect(end).toMatch(/\[warning\] max-idle-churn mysql2 root@127\.0\.0\.1:3306\/test: /);
      expect(end).toMatch(/→ Set maxIdle to at least \d+/);
      // The panel was erased before the summary: its header is gone from the screen.
      expect(end).not.toContain('poolaudit run: node examples/zero-code/app.js');
    } finally {
      execFileSync('tmux', ['kill-session', '-t', session]);
      rmSync(done, { force: true });
    }
  });
});

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
}
