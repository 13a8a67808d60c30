import { sep } from 'node:path';

/** Where a connection came from: the library the application called, and the application's own frame. */
export interface CallSite {
  /** The package (`node_modules/<name>`) or Node module (`node:https`) the application called; null if unknown. */
  readonly library: string | null;
  /** The application's innermost frame, `file:line` (relative to the working directory); null if none. */
  readonly frame: string | null;
}

/** Frames kept per sample: library stacks (undici, http agents) run deep below the application's call. */
const FRAMES = 40;
const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):\d+\)?$/;
/** A package's directory; not `node_modules/.cache` or `.bin`, which hold no package. */
const PACKAGE = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^.\\/][^\\/]*)[\\/]/;

/**
 * The call site of the code running now, read from a stack trace. `ownDirs` are directories whose frames
 * are the SDK's own (skipped: neither library nor application).
 */
export function callSite(ownDirs: readonly string[]): CallSite {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = FRAMES;
  Error.captureStackTrace(holder, callSite);
  Error.stackTraceLimit = limit;
  return readCallSite(holder.stack ?? '', ownDirs, process.cwd());
}

/** `callSite` on a given stack text: exported for tests. */
export function readCallSite(stack: string, ownDirs: readonly string[], cwd: string): CallSite {
  let library: string | null = null;
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    let file = m[1] as string;
    if (file.startsWith('file://')) file = decodeURIComponent(file.slice('file://'.length));
    if (ownDirs.some((dir) => file.startsWith(dir))) continue;
    if (file.startsWith('node:')) {
      // The outermost Node module below the application is the one it called (https, not net).
      if (!file.startsWith('node:internal/')) library = file;
      continue;
    }
    const pkg = PACKAGE.exec(file);
    if (pkg) {
      library = (pkg[1] as string).replace('\\', '/');
      continue;
    }
    if (!file.includes(sep) && !file.includes('/')) continue;
    const shown = file.startsWith(cwd + sep) ? file.slice(cwd.length + 1) : file;
    return { library, frame: `${shown}:${m[2] as string}` };
  }
  return { library, frame: null };
}
