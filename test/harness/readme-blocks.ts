import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** How a README block is tested. */
export type BlockMode = 'run' | 'typecheck-only' | 'not-run';

/** One fenced code block of a Markdown file. */
export interface ReadmeBlock {
  /** The file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: 'ts' | 'js' | 'sh';
  readonly code: string;
  readonly mode: BlockMode;
  /** Why a block is not run, from its marker. */
  readonly reason?: string;
}

const LANGS: Readonly<Record<string, ReadmeBlock['lang']>> = {
  ts: 'ts',
  typescript: 'ts',
  js: 'js',
  javascript: 'js',
  cjs: 'js',
  mjs: 'js',
  sh: 'sh',
  bash: 'sh',
  shell: 'sh',
};

/**
 * The marker, on the line before a fence, for a block that cannot run here:
 * `<!-- readme-test: typecheck-only — needs a Redis Cluster -->` (ts/js: compiled or syntax-checked only) or
 * `<!-- readme-test: not-run — it is the CI job itself -->` (sh: only its install lines are checked).
 */
const MARKER = /^<!--\s*readme-test:\s*(typecheck-only|not-run)\s*(?:[—:-]\s*(.*?))?\s*-->$/;

/** Every Markdown file the docs test covers: each README.md in the repository, and everything in docs/. */
export function markdownFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === 'dist') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (
        entry.name === 'README.md' ||
        (relative(root, dir).split('/')[0] === 'docs' && entry.name.endsWith('.md'))
      )
        found.push(relative(root, path));
    }
  };
  walk(root);
  return found.sort();
}

/** The ts/js/sh blocks of one Markdown file, with their markers. Other languages (yaml, output) are skipped. */
export function readmeBlocks(root: string, file: string): ReadmeBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*([\w-]*)\s*$/.exec(lines[i] as string);
    if (!open) continue;
    const [, indent = '', fence = '', lang = ''] = open;
    let end = i + 1;
    while (end < lines.length && (lines[end] as string).trim() !== fence) end++;
    const kind = LANGS[lang.toLowerCase()];
    if (kind !== undefined) {
      let before = i - 1;
      while (before >= 0 && (lines[before] as string).trim() === '') before--;
      const marker = before >= 0 ? MARKER.exec((lines[before] as string).trim()) : null;
      const code = lines
        .slice(i + 1, end)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
        .join('\n');
      blocks.push({
        file,
        line: i + 1,
        lang: kind,
        code: `${code}\n`,
        mode: marker ? (marker[1] as BlockMode) : 'run',
        ...(marker?.[2] ? { reason: marker[2] } : {}),
      });
    }
    i = end;
  }
  return blocks;
}

/** A shell command line of a block, with the exit status its trailing comment promises (`# … exit 1 …`). */
export interface ShellCommand {
  readonly command: string;
  readonly expectedStatus: number;
}

/** The commands of an sh block: one per non-empty, non-comment line (no continuation lines). */
export function shellCommands(code: string): ShellCommand[] {
  return code
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((line) => {
      const comment = /\s#\s(.*)$/.exec(line);
      const status = comment ? /\bexits? (?:code )?(\d)\b/.exec(comment[1] as string) : null;
      return { command: line, expectedStatus: status ? Number(status[1]) : 0 };
    });
}

/**
 * The packages an install line names (`npm install a @b/c`, `npm i -D x`): the harness checks that each is a
 * workspace package or a library this repository installs, instead of reaching the registry.
 */
export function installedPackages(command: string): string[] | undefined {
  if (/&&|;|\|/.test(command)) return undefined;
  const m = /^npm (?:install|i|add)\s+(.*?)(?:\s+#.*)?$/.exec(command);
  if (!m) return undefined;
  const words = (m[1] as string).split(/\s+/).filter((w) => !w.startsWith('-'));
  if (words.length === 0) return undefined;
  return words.map((w) => w.replace(/(.)@[^/]*$/, '$1'));
}
