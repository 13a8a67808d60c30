import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callSiteOf, supportedRange } from '../hook-table.js';
import type { HookEntry } from '../hook-table.js';
import { applyToExports, replacementsFor, seeHeldPools } from './wrap-exports.js';
import type { PoolSeen } from './wrap-exports.js';
import type { CreateOptions } from '../hook-table.js';
import { satisfies } from './version-range.js';

/** What the hooks report to the running registration. */
export interface HookEvents {
  /**
   * A wrapped export handed out `pool`, created at `callSite` when the entry asked for it, with the options
   * it was created with when the entry reads them.
   */
  pool(entry: HookEntry, pool: object, callSite: string | undefined, createOptions: CreateOptions): void;
  /** The library was hooked (version as read from its package.json). */
  hooked(entry: HookEntry, version: string): void;
  /** One line: an unsupported version or a hook that failed. The module is left exactly as it was. */
  skipped(message: string): void;
}

/**
 * Applies the hook table to modules as they load: checks the installed version against the adapter's range,
 * wraps the exports that create pools, and on any trouble leaves the module untouched and says so once.
 */
export class ModuleHooks {
  private readonly byModule = new Map<string, HookEntry>();
  /** Version verdict per package directory, so that each copy of a library is judged (and reported) once. */
  private readonly verdicts = new Map<string, string | false>();

  constructor(
    entries: readonly HookEntry[],
    private readonly events: HookEvents,
  ) {
    for (const entry of entries) for (const id of entry.modules) this.byModule.set(id, entry);
  }

  /** The module ids to hook. */
  get modules(): string[] {
    return [...this.byModule.keys()];
  }

  /** `require-in-the-middle`'s callback: returns the exports to hand to `require()`. */
  onRequire(exports: unknown, name: string, basedir: string | undefined): unknown {
    const entry = this.entryOf(name);
    if (entry === undefined || !this.supported(entry, basedir)) return exports;
    try {
      const seen = this.seen(entry);
      const hooked = applyToExports(exports, replacementsFor(exports, entry.sources, seen));
      seeHeldPools(exports, entry.sources, seen);
      return hooked;
    } catch (err) {
      this.fail(entry, name, err);
      return exports;
    }
  }

  /**
   * `import-in-the-middle`'s callback: `namespace` is the module's namespace with settable bindings. For a
   * CommonJS library its `default` is `module.exports`, which `mysql.createPool()` reads: both are wrapped.
   */
  onImport(
    namespace: Record<string, unknown>,
    name: string,
    basedir: string | undefined,
    format: unknown,
  ): void {
    const entry = this.entryOf(name);
    if (entry === undefined || !this.supported(entry, basedir)) return;
    try {
      const commonjs = format === 'commonjs' || (format === undefined && 'default' in namespace);
      const seen = this.seen(entry);
      if (!commonjs) {
        // A dual package's ES entry (pg's esm/index.mjs) re-exports its CommonJS object as `default` too:
        // `import pg from 'pg'; new pg.Pool()` goes through that object, which no require() hook saw.
        const inner = namespace['default'];
        if (typeof inner === 'object' && inner !== null) {
          const replaced = replacementsFor(
            inner,
            entry.sources.filter((s) => !('construct' in s && s.construct === '.')),
            seen,
          );
          applyToExports(inner, replaced);
          seeHeldPools(inner, entry.sources, seen);
        }
      }
      const target = commonjs ? namespace['default'] : namespace;
      const replacements = replacementsFor(target, entry.sources, seen);
      if (commonjs) seeHeldPools(target, entry.sources, seen);
      if (replacements.size === 0) return;
      if (commonjs) {
        const replaced = applyToExports(target, replacements);
        if (replaced !== target) namespace['default'] = replaced;
      }
      for (const [key, value] of replacements) if (key !== '.' && key in namespace) namespace[key] = value;
    } catch (err) {
      this.fail(entry, name, err);
    }
  }

  private entryOf(name: string): HookEntry | undefined {
    // import-in-the-middle names a file inside a package `mysql2/promise.js`.
    return this.byModule.get(name) ?? this.byModule.get(name.replace(/\.[cm]?js$/, ''));
  }

  private supported(entry: HookEntry, basedir: string | undefined): boolean {
    const key = `${entry.package}\u0000${basedir ?? ''}`;
    const known = this.verdicts.get(key);
    if (known !== undefined) return known !== false;
    let verdict: string | false = false;
    try {
      // A Node module is as supported as Node itself: the adapter's `engines` range.
      const version = entry.builtin === true ? process.versions.node : readVersion(basedir);
      const range = supportedRange(entry);
      if (version !== undefined && satisfies(version, range)) {
        verdict = version;
        this.events.hooked(entry, version);
      } else {
        this.events.skipped(
          `${entry.package} ${version ?? '(unknown version)'} is not supported (${entry.adapter} supports ${range}); its pools are not audited`,
        );
      }
    } catch (err) {
      this.events.skipped(
        `${entry.package}: version check failed (${message(err)}); its pools are not audited`,
      );
    }
    this.verdicts.set(key, verdict);
    return verdict !== false;
  }

  private seen(entry: HookEntry): PoolSeen {
    return (pool, via, key, args) => {
      if (typeof pool !== 'object' || pool === null) return;
      let callSite: string | undefined;
      if (entry.needsCallSite === true) {
        const holder: { stack?: string } = {};
        Error.captureStackTrace(holder, via);
        callSite = callSiteOf(holder.stack);
      }
      this.events.pool(entry, pool, callSite, entry.createOptions?.(key, args));
    };
  }

  private fail(entry: HookEntry, name: string, err: unknown): void {
    this.events.skipped(
      `hooking ${name} failed (${message(err)}); ${entry.package} is left as it was, unaudited`,
    );
  }
}

function readVersion(basedir: string | undefined): string | undefined {
  if (basedir === undefined) return undefined;
  const manifest = JSON.parse(readFileSync(join(basedir, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : undefined;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
