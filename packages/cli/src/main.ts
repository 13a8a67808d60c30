import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, nonNegativeInteger, parseFlags, positiveInteger, positiveNumber } from './args.js';
import type { FlagSpecs } from './args.js';
import { runDoctor } from './commands/doctor.js';
import { runLint } from './commands/lint.js';
import { runService } from './commands/run.js';
import { SOCKET_STATES, runSockets } from './commands/sockets.js';
import type { SocketState, SocketsOptions } from './commands/sockets.js';
import { ConfigFileError } from './config-file.js';
import { runDemo } from './demo/run-demo.js';
import { COMMAND_HELP, USAGE } from './help.js';
import { nearMiss } from '@poolaudit/core';

export { USAGE } from './help.js';

/** Where the CLI writes; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether `out` is a terminal (`poolaudit run` then redraws in place). Default false. */
  readonly tty?: boolean;
  /** The terminal's width in columns, when it is one. */
  readonly columns?: number;
}

const HELP: FlagSpecs = { help: { type: 'boolean', short: 'h' } };

const FLAGS: Readonly<Record<string, FlagSpecs>> = {
  lint: { ...HELP, format: { type: 'string', default: 'text' }, 'max-warnings': { type: 'string' } },
  sockets: {
    ...HELP,
    json: { type: 'boolean', default: false },
    watch: { type: 'boolean', default: false },
    top: { type: 'string', default: '20' },
    interval: { type: 'string', default: '2' },
    count: { type: 'string' },
    remote: { type: 'string', multiple: true },
    port: { type: 'string' },
    state: { type: 'string', multiple: true },
    local: { type: 'boolean', default: false },
  },
  doctor: { ...HELP, json: { type: 'boolean', default: false } },
  demo: HELP,
  run: { ...HELP, json: { type: 'boolean', default: false }, interval: { type: 'string' } },
};

/** The CLI's version, from its package.json (one directory above both `src/` and `dist/`). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.err(USAGE);
        return 2;
      case '-h':
      case '--help':
        io.out(USAGE);
        return 0;
      case 'help':
        return help(rest[0], io);
      case '-v':
      case '--version':
        io.out(`${version()}\n`);
        return 0;
      default:
        return await run(command, rest, io);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      const help = err.command === undefined ? USAGE : COMMAND_HELP[err.command];
      io.err(`poolaudit: ${err.message}\n\n${help ?? USAGE}`);
      return 2;
    }
    if (err instanceof ConfigFileError) {
      io.err(`poolaudit: ${err.message}\n`);
      return 2;
    }
    io.err(`poolaudit: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}

function help(command: string | undefined, io: Io): number {
  if (command === undefined) {
    io.out(USAGE);
    return 0;
  }
  const text = COMMAND_HELP[command];
  if (text === undefined) throw unknownCommand(command);
  io.out(text);
  return 0;
}

function unknownCommand(command: string): UsageError {
  const guess = nearMiss(command, Object.keys(FLAGS));
  return new UsageError(`unknown command "${command}"${guess ? `; did you mean ${guess}?` : ''}`);
}

async function run(command: string, args: readonly string[], io: Io): Promise<number> {
  const flags = FLAGS[command];
  if (flags === undefined) {
    if (command.startsWith('-')) {
      const guess = nearMiss(command, ['--help', '--version']);
      throw new UsageError(`unknown option ${command}${guess ? `; did you mean ${guess}?` : ''}`);
    }
    throw unknownCommand(command);
  }
  // `poolaudit run [options] -- <command…>`: what follows `--` is the service's, not ours.
  const dash = command === 'run' ? args.indexOf('--') : -1;
  const service = dash >= 0 ? args.slice(dash + 1) : [];
  const { values, positionals } = parseFlags(command, dash >= 0 ? args.slice(0, dash) : args, flags);
  if (values['help'] === true) {
    io.out(COMMAND_HELP[command] ?? USAGE);
    return 0;
  }
  switch (command) {
    case 'lint':
      return lintCommand(values, positionals, io);
    case 'sockets':
      if (positionals.length > 0) throw new UsageError('sockets takes no arguments', command);
      return socketsCommand(values, io);
    case 'doctor': {
      if (positionals.length > 0) throw new UsageError('doctor takes no arguments', command);
      const findings = runDoctor({ json: values['json'] === true }, (t) => io.out(t));
      return findings.some((f) => f.severity === 'error') ? 1 : 0;
    }
    case 'run':
      return runCommand(values, positionals, service, io);
    default:
      if (positionals.length > 0) throw new UsageError('demo takes no arguments', command);
      return runDemo(io);
  }
}

function runCommand(
  values: Values,
  positionals: readonly string[],
  service: readonly string[],
  io: Io,
): Promise<number> {
  if (positionals.length > 0 || service.length === 0) {
    throw new UsageError('run takes the command after --: poolaudit run -- node server.js', 'run');
  }
  const tty = io.tty === true;
  const interval = values['interval'];
  const intervalMs =
    interval === undefined ? (tty ? 1000 : 5000) : positiveNumber('run', '--interval', interval) * 1000;
  return runService(
    service,
    {
      json: values['json'] === true,
      tty,
      intervalMs,
      ...(io.columns === undefined ? {} : { columns: io.columns }),
    },
    io,
  );
}

type Values = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

function lintCommand(values: Values, positionals: readonly string[], io: Io): number {
  const format = values['format'];
  if (format !== 'text' && format !== 'json' && format !== 'sarif') {
    throw new UsageError(`--format must be text, json or sarif, got ${String(format)}`, 'lint');
  }
  if (positionals.length !== 1) throw new UsageError('lint takes exactly one file', 'lint');
  const limit = values['max-warnings'];
  const maxWarnings = limit === undefined ? undefined : nonNegativeInteger('lint', '--max-warnings', limit);
  const [file] = positionals as [string];
  return runLint(file, format, (t) => io.out(t), {
    ...(maxWarnings === undefined ? {} : { maxWarnings }),
    warn: (t) => io.err(t),
  });
}

async function socketsCommand(values: Values, io: Io): Promise<number> {
  const top = positiveInteger('sockets', '--top', values['top']);
  const intervalMs = positiveNumber('sockets', '--interval', values['interval']) * 1000;
  const count =
    values['count'] === undefined
      ? values['watch'] === true
        ? Infinity
        : 1
      : positiveInteger('sockets', '--count', values['count']);
  const states: SocketState[] = [];
  for (const given of (values['state'] as string[] | undefined) ?? []) {
    for (const state of given.split(',')) {
      if (!(SOCKET_STATES as readonly string[]).includes(state)) {
        const guess = nearMiss(state, SOCKET_STATES);
        throw new UsageError(
          `--state must be ${SOCKET_STATES.join(', ')}, got ${state}${guess ? `; did you mean ${guess}?` : ''}`,
          'sockets',
        );
      }
      if (!states.includes(state as SocketState)) states.push(state as SocketState);
    }
  }
  const remote = (values['remote'] as string[] | undefined) ?? [];
  for (const endpoint of remote) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[0-9.]+):\d{1,5}$/.test(endpoint)) {
      throw new UsageError(
        `--remote must be an ip:port such as 127.0.0.1:3306 or [::1]:6379, got ${endpoint}`,
        'sockets',
      );
    }
  }
  const port = values['port'];
  const options: SocketsOptions = {
    json: values['json'] === true,
    top,
    local: values['local'] === true,
    ...(states.length > 0 ? { states } : {}),
    ...(remote.length > 0 ? { remote } : {}),
    ...(port === undefined ? {} : { port: portNumber(port) }),
  };
  if (options.local && options.remote) {
    throw new UsageError('--remote filters remote endpoints; with --local use --port', 'sockets');
  }
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      if (!options.json) io.out(`\n${new Date().toISOString()}\n`);
    }
    await runSockets(options, (t) => io.out(t));
  }
  return 0;
}

function portNumber(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new UsageError(`--port must be a port number (1-65535), got ${String(value)}`, 'sockets');
  }
  return n;
}
