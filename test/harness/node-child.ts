import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** The built hook (`npm run build` first): what `--require @poolaudit/register` resolves to. */
export const REGISTER_CJS = resolve(__dirname, '../../packages/register/dist/index.js');
export const REGISTER_ESM = resolve(__dirname, '../../packages/register/dist/register.mjs');
export const REPO_ROOT = resolve(__dirname, '../..');

export interface NodeRun {
  readonly child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when a line of `stream` matches, with the line; rejects when the process exits first or at `timeoutMs`. */
  waitForLine(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal) once the process has exited; kills it after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node <args>` with `env` added to a copy of this process's environment minus any `POOLAUDIT_*`/`NODE_OPTIONS`. */
export function startNode(
  args: readonly string[],
  env: Record<string, string> = {},
  cwd = REPO_ROOT,
): NodeRun {
  const base: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('POOLAUDIT_') || key === 'NODE_OPTIONS') continue;
    base[key] = value;
  }
  const child = spawn(process.execPath, [...args], { cwd, env: { ...base, ...env }, stdio: 'pipe' });
  const out = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out.stdout += chunk;
    for (const w of waiters) w();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    out.stderr += chunk;
    for (const w of waiters) w();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('close', (code, signal) => {
      done({ code, signal });
      for (const w of waiters) w();
    });
  });
  let finished = false;
  void exit.then(() => (finished = true));
  return {
    child,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    waitForLine(stream, pattern, timeoutMs = 20_000) {
      return new Promise((done, fail) => {
        const check = (): void => {
          const line = out[stream].split('\n').find((l) => pattern.test(l));
          if (line !== undefined) finish(() => done(line));
          else if (finished)
            finish(() => fail(new Error(`exited before ${stream} matched ${pattern}:\n${out[stream]}`)));
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              fail(new Error(`no ${stream} line matched ${pattern} in ${timeoutMs} ms:\n${out[stream]}`)),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    async exited(timeoutMs = 30_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
