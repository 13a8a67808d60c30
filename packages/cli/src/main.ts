import { parseArgs } from 'node:util';
import { runLint } from './commands/lint.js';
import { runDoctor } from './commands/doctor.js';
import { runSockets } from './commands/sockets.js';
import { ConfigFileError } from './config-file.js';
import { runDemo } from './demo/run-demo.js';

/** Where the CLI writes; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const USAGE = `Usage: poolaudit <command> [options]

Commands:
  lint <file>        Lint pool configs in a JSON, YAML or JS file
                     --format text|json|sarif (default text); exit code 1 on errors
  sockets            The kernel's TCP sockets grouped by remote endpoint, with the port budget used
                     --json, --top <n> (default 20), --watch [--interval <s>] [--count <n>]
  doctor             Host TCP settings, what they mean, and what to change
                     --json
  demo               The churn lab: a pool churning connections, diagnosed, then cured

  -h, --help         Show this help
`;

/** A usage problem: printed with the usage text, exit code 2. */
class UsageError extends Error {}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'lint':
        return lintCommand(rest, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        return await extraCommand(command, rest, io);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`poolaudit: ${err.message}\n\n${USAGE}`);
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

function lintCommand(args: readonly string[], io: Io): number {
  const { values, positionals } = parse(args, { format: { type: 'string', default: 'text' } });
  const format = values['format'];
  if (format !== 'text' && format !== 'json' && format !== 'sarif') {
    throw new UsageError(`--format must be text, json or sarif, got ${String(format)}`);
  }
  if (positionals.length !== 1) throw new UsageError('lint takes exactly one file');
  const [file] = positionals as [string];
  return runLint(file, format, (t) => io.out(t));
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

function parse(args: readonly string[], options: OptionSpec) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function extraCommand(command: string, args: readonly string[], io: Io): Promise<number> {
  switch (command) {
    case 'sockets':
      return socketsCommand(args, io);
    case 'doctor': {
      const { values, positionals } = parse(args, { json: { type: 'boolean', default: false } });
      if (positionals.length > 0) throw new UsageError('doctor takes no arguments');
      const findings = runDoctor({ json: values['json'] === true }, (t) => io.out(t));
      return findings.some((f) => f.severity === 'error') ? 1 : 0;
    }
    case 'demo': {
      const { positionals } = parse(args, {});
      if (positionals.length > 0) throw new UsageError('demo takes no arguments');
      return runDemo(io);
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function socketsCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    json: { type: 'boolean', default: false },
    watch: { type: 'boolean', default: false },
    top: { type: 'string', default: '20' },
    interval: { type: 'string', default: '2' },
    count: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError('sockets takes no arguments');
  const top = positiveInteger('--top', values['top']);
  const intervalMs = positiveNumber('--interval', values['interval']) * 1000;
  const count =
    values['count'] === undefined
      ? values['watch'] === true
        ? Infinity
        : 1
      : positiveInteger('--count', values['count']);
  const options = { json: values['json'] === true, top };
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      if (!options.json) io.out(`\n${new Date().toISOString()}\n`);
    }
    await runSockets(options, (t) => io.out(t));
  }
  return 0;
}

function positiveInteger(flag: string, value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`${flag} must be a positive integer, got ${String(value)}`);
  return n;
}

function positiveNumber(flag: string, value: unknown): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} must be a positive number, got ${String(value)}`);
  return n;
}
