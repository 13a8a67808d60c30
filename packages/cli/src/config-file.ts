import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { nearMiss, optionProblems, optionType } from '@poolaudit/core';
import type { LintSubject } from '@poolaudit/core';
import type { KindSpec } from './kinds.js';

/** A config file that cannot be linted: says which file, where in it, and what is wrong. */
export class ConfigFileError extends Error {
  readonly code = 'POOLAUDIT_CONFIG_FILE';
  constructor(
    readonly file: string,
    readonly where: string,
    problem: string,
  ) {
    super(`${file}${where ? ` at ${where}` : ''}: ${problem}`);
    this.name = 'ConfigFileError';
  }
}

type Primitive = number | string | boolean;

/**
 * Reads a pool config file — JSON, YAML, or a JS module exporting it — into lint subjects:
 * `{ pools: [{ name, kind, options, facts? }] }`. Every problem names the file and the path inside it.
 */
export function loadConfigFile(file: string, kinds: Readonly<Record<string, KindSpec>>): LintSubject[] {
  const data = readData(file);
  const fail = (where: string, problem: string): never => {
    throw new ConfigFileError(file, where, problem);
  };
  if (!isObject(data)) return fail('', `expected an object with a "pools" list, got ${typeName(data)}`);
  for (const key of Object.keys(data)) if (key !== 'pools') fail(key, `unknown key (the file holds "pools")`);
  const pools = data['pools'];
  if (!Array.isArray(pools)) return fail('pools', `expected a list of pools, got ${typeName(pools)}`);
  return pools.map((entry: unknown, i): LintSubject => {
    const at = `pools[${i}]`;
    if (!isObject(entry)) return fail(at, `expected an object, got ${typeName(entry)}`);
    for (const key of Object.keys(entry)) {
      if (!['name', 'kind', 'options', 'facts'].includes(key)) {
        fail(`${at}.${key}`, 'unknown key (a pool has name, kind, options, facts)');
      }
    }
    const { name, kind, options, facts } = entry;
    if (typeof name !== 'string' || name === '')
      fail(`${at}.name`, `expected a non-empty string, got ${typeName(name)}`);
    if (typeof kind !== 'string' || !(kind in kinds)) {
      const near = typeof kind === 'string' ? nearMiss(kind, Object.keys(kinds)) : undefined;
      fail(
        `${at}.kind`,
        `unknown kind ${typeof kind === 'string' ? JSON.stringify(kind) : typeName(kind)}` +
          (near ? `; did you mean ${near}?` : '') +
          ` (known: ${Object.keys(kinds).join(', ')})`,
      );
    }
    const spec = kinds[kind as string] as KindSpec;
    if (!isObject(options)) return fail(`${at}.options`, `expected an object, got ${typeName(options)}`);
    const [problem] = optionProblems(options, spec.options);
    if (problem?.problem === 'unknown') {
      fail(
        `${at}.options.${problem.key}`,
        `unknown ${kind as string} option ${problem.key}` +
          (problem.suggestion ? `; did you mean ${problem.suggestion}?` : '') +
          ` (known: ${Object.keys(spec.options).join(', ')})`,
      );
    } else if (problem) {
      fail(
        `${at}.options.${problem.key}`,
        `expected ${(problem.expected ?? []).join(' or ')}, got ${problem.got}`,
      );
    }
    const checkedFacts: Record<string, Primitive> = {};
    if (facts !== undefined) {
      if (!isObject(facts)) return fail(`${at}.facts`, `expected an object, got ${typeName(facts)}`);
      for (const [key, value] of Object.entries(facts)) {
        if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') {
          fail(`${at}.facts.${key}`, `expected a number, string or boolean, got ${typeName(value)}`);
        }
        checkedFacts[key] = value as Primitive;
      }
    }
    return { kind: kind as string, name: name as string, options, facts: checkedFacts };
  });
}

function readData(file: string): unknown {
  const ext = extname(file).toLowerCase();
  if (ext === '.js' || ext === '.cjs' || ext === '.mjs') {
    try {
      // Node ≥ 20.19 loads an ES module (`.mjs`, or `.js` under "type": "module") with require() too, as long
      // as it has no top-level await; its `export default` arrives as `.default`.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported = require(resolve(file)) as { default?: unknown };
      return exported.default ?? exported;
    } catch (err) {
      // Node's require(esm) errors run over several lines naming our own files: the first one says it.
      throw new ConfigFileError(file, '', `cannot load the module: ${message(err).split('\n')[0] ?? ''}`);
    }
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigFileError(file, '', `cannot read the file: ${message(err)}`);
  }
  if (ext === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new ConfigFileError(file, '', `not valid JSON: ${message(err)}`);
    }
  }
  if (ext === '.yaml' || ext === '.yml') {
    try {
      return parseYaml(text, { prettyErrors: true }) as unknown;
    } catch (err) {
      throw yamlError(file, err);
    }
  }
  throw new ConfigFileError(
    file,
    '',
    `unsupported file type "${ext}" (use .json, .yaml, .yml, .js, .cjs or .mjs)`,
  );
}

/**
 * A YAML syntax error as one line: where (`line 6, column 1`) and what. The yaml package's pretty message
 * ends in "at line L, column C:" followed by the source excerpt (yaml `src/errors.ts`); both are dropped.
 */
function yamlError(file: string, err: unknown): ConfigFileError {
  const text = message(err).split('\n')[0] ?? '';
  const pos = (err as { linePos?: readonly { line: number; col: number }[] } | null)?.linePos?.[0];
  const problem = text.replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
  const where = pos ? `line ${pos.line}, column ${pos.col}` : '';
  return new ConfigFileError(file, where, `not valid YAML: ${problem}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The type of a value as the error messages name it. */
export function typeName(value: unknown): string {
  return value === undefined ? 'undefined' : optionType(value);
}

function message(err: unknown): string {
  // Structural, not instanceof: errors from a module loaded in another realm are still errors.
  return typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
}
