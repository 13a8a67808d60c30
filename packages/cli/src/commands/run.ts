import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseRunMessage, RunState } from '../run/run-state.js';
import type { ProcessView } from '../run/run-state.js';
import { findingLines, statusLines, summaryLines } from '../run/run-view.js';

/** Options of `poolaudit run`. */
export interface RunOptions {
  /** JSON lines on stdout (findings as they fire, a status per interval, the summary); the service's output goes to stderr. */
  readonly json: boolean;
  /** Redraw a live panel in place (a terminal); otherwise plain lines. */
  readonly tty: boolean;
  /** How often the status is drawn (ms). */
  readonly intervalMs: number;
  /** Terminal width: panel lines are cut to it so that redrawing in place stays exact. */
  readonly columns?: number;
}

/** Where `poolaudit run` writes. */
export interface RunIo {
  out(text: string): void;
  err(text: string): void;
}

const ERASE_LINE_UP = '\x1b[1F\x1b[2K';

/**
 * Runs `command` with the register hook (`NODE_OPTIONS=--require @poolaudit/register`) and shows what its
 * pools do, from the snapshots each of its Node processes sends over a Unix socket. Resolves with the
 * service's exit code (128 + signal number when it was killed).
 */
export async function runService(
  command: readonly string[],
  options: RunOptions,
  io: RunIo,
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'poolaudit-run-'));
  const socketPath = join(dir, 'run.sock');
  const state = new RunState();
  const label = command.join(' ');
  let panelHeight = 0;

  const erasePanel = (): void => {
    if (panelHeight > 0) io.out(ERASE_LINE_UP.repeat(panelHeight));
    panelHeight = 0;
  };
  const drawPanel = (): void => {
    const width = Math.max(20, (options.columns ?? 120) - 1);
    const lines = statusLines(state, label).map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
    io.out(`${lines.join('\n')}\n`);
    panelHeight = lines.length;
  };
  /** Writes lines above the live panel (TTY) or as they come (plain); JSON mode sends them to stderr. */
  const print = (text: string, stream: 'out' | 'err' = 'out'): void => {
    if (options.json) {
      io.err(text);
      return;
    }
    if (options.tty) erasePanel();
    if (stream === 'err' && !options.tty) io.err(text);
    else io.out(text);
    if (options.tty) drawPanel();
  };
  const several = (): boolean => state.processes.size > 1;

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const lines = createInterface({ input: socket });
    lines.on('line', (line) => {
      const message = parseRunMessage(line);
      if (message === undefined) return;
      const event = state.accept(message);
      if (event === undefined) return;
      if (options.json) {
        io.out(
          `${JSON.stringify(typeof event === 'string' ? { type: 'log', message: event } : { type: event.cleared ? 'finding-cleared' : 'finding', process: event.process, finding: event.finding })}\n`,
        );
      } else if (typeof event === 'string') print(`poolaudit: ${event}\n`);
      else print(`${findingLines(event, several()).join('\n')}\n`);
    });
  });
  server.listen(socketPath);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });

  const register = require.resolve('@poolaudit/register');
  const nodeOptions = [process.env['NODE_OPTIONS'], `--require ${JSON.stringify(register)}`]
    .filter((o) => o !== undefined && o !== '')
    .join(' ');
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, {
    stdio: ['inherit', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_OPTIONS: nodeOptions,
      POOLAUDIT_RUN_SOCKET: socketPath,
      // The panel shows what the hook would print; set POOLAUDIT_LOG to have both.
      POOLAUDIT_LOG: process.env['POOLAUDIT_LOG'] ?? 'off',
    },
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => print(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => print(chunk, 'err'));

  // A Ctrl-C reaches the service too (same process group on a terminal); forward what reaches only us.
  const forward = (signal: NodeJS.Signals) => (): void => {
    if (child.exitCode === null) child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  const tick = setInterval(() => {
    if (options.json) {
      io.out(
        `${JSON.stringify({ type: 'status', processes: [...state.processes.values()].map(statusOf) })}\n`,
      );
    } else if (options.tty) {
      erasePanel();
      drawPanel();
    } else if (state.processes.size > 0) {
      io.out(`${statusLines(state, label).join('\n')}\n`);
    }
  }, options.intervalMs);
  if (options.tty && !options.json) drawPanel();

  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve) => {
      child.once('error', (err) => {
        print(`poolaudit: could not start ${file}: ${err.message}\n`, 'err');
        resolve({ code: 127, signal: null });
      });
      child.once('close', (c, s) => resolve({ code: c, signal: s }));
    },
  );
  clearInterval(tick);
  process.off('SIGINT', onInt);
  process.off('SIGTERM', onTerm);
  // The last snapshots are sent from the processes' 'exit' listeners: read what is still on the way.
  await new Promise((resolve) => setImmediate(resolve));
  for (const socket of sockets) socket.end();
  server.close();
  rmSync(dir, { recursive: true, force: true });

  const exit = signal !== null ? `was killed by ${signal}` : `exited with code ${code ?? 0}`;
  if (options.tty && !options.json) erasePanel();
  if (options.json) {
    io.out(
      `${JSON.stringify({ type: 'summary', exit: { code, signal }, processes: [...state.processes.values()].map(statusOf), findings: [...state.fired.values()] })}\n`,
    );
  } else {
    io.out(`${summaryLines(state, exit).join('\n')}\n`);
  }
  return signal !== null ? 128 + signalNumber(signal) : (code ?? 0);
}

function statusOf(view: ProcessView) {
  return {
    process: view.process,
    pools: (view.snapshot?.pools ?? []).map((p) => ({
      name: p.name,
      kind: p.kind,
      stats: p.stats,
      findings: p.findings,
    })),
    destinations: view.destinations,
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 1;
}
