/**
 * The libraries the demo drives. They are optional peer dependencies of the CLI — `lint`, `sockets` and
 * `doctor` need none of them, and installing the CLI must not pull database drivers into an app — so each is
 * loaded only when its part of the demo runs.
 */
export interface DemoLibraries {
  readonly mysql2: typeof import('mysql2');
  readonly pg: typeof import('pg');
  readonly ioredis: typeof import('ioredis');
  readonly redis: typeof import('redis');
  readonly undici: typeof import('undici');
  readonly '@grpc/grpc-js': typeof import('@grpc/grpc-js');
  readonly axios: typeof import('axios');
}

/** The library, or undefined when it is not installed (the demo then skips that part and says so). */
export function loadDemoLibrary<K extends keyof DemoLibraries>(name: K): DemoLibraries[K] | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as DemoLibraries[K];
  } catch (err) {
    if (isMissing(err, name)) return undefined;
    throw err;
  }
}

/** Whether `err` says that `name` itself (not something it requires) cannot be found. */
function isMissing(err: unknown, name: string): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    err.code === 'MODULE_NOT_FOUND' &&
    'message' in err &&
    String(err.message).includes(`'${name}'`)
  );
}
