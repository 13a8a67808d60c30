import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

// Node's `fetch` lives in the main realm and reads the global dispatcher from the main realm's globalThis,
// which jest's sandbox does not share: the scenario runs in a plain `node` child (the same binary), which
// loads the TypeScript sources through a small transpiling require hook.
const ROOT = resolve(__dirname, '../../..');
const run = promisify(execFile);

const HOOK = `
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const ts = require(path.join(process.env.PA_ROOT, 'node_modules/typescript'));
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const pkg = /^@poolaudit\\/([a-z0-9-]+)$/.exec(request);
  if (pkg) return path.join(process.env.PA_ROOT, 'packages', pkg[1], 'src/index.ts');
  if (request.startsWith('.') && request.endsWith('.js') && parent && parent.filename.endsWith('.ts')) {
    const ts = path.resolve(path.dirname(parent.filename), request.slice(0, -3) + '.ts');
    if (fs.existsSync(ts)) return ts;
  }
  return resolveFilename.call(this, request, parent, ...rest);
};
Module._extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(outputText, filename);
};
`;

const SCENARIO = `
(async () => {
  const http = require('node:http');
  const userland = process.env.PA_USERLAND === '1' ? require(process.env.PA_UNDICI || 'undici') : undefined;
  const { createAuditor } = require('@poolaudit/core');
  const { auditGlobalDispatcher, detachGlobalDispatcher } = require('@poolaudit/undici');
  let accepted = 0;
  const server = http.createServer((req, res) => res.end('hello ' + req.url));
  server.on('connection', () => accepted++);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = 'http://127.0.0.1:' + server.address().port;
  const auditor = createAuditor();
  const dispatcher = auditGlobalDispatcher({ auditor, name: 'fetch' });
  const bodies = [];
  for (let i = 0; i < 5; i++) bodies.push(await (await fetch(origin + '/' + i)).text());
  await Promise.all([1, 2, 3].map(async (i) => bodies.push(await (await fetch(origin + '/p' + i)).text())));
  const pool = auditor.snapshot().pools.find((p) => p.name === 'fetch ' + origin);
  const detached = detachGlobalDispatcher();
  await (await fetch(origin + '/after')).text();
  const after = auditor.snapshot().pools.find((p) => p.name === 'fetch ' + origin);
  console.log(JSON.stringify({
    kind: dispatcher.constructor.name,
    installed: userland !== undefined && dispatcher instanceof userland.Agent,
    bodies: bodies.length,
    accepted,
    stats: pool && pool.stats,
    acquiredAfterDetach: after && after.stats.acquired,
    detached,
  }));
  server.closeAllConnections();
  server.close();
})().catch((err) => { console.error(err); process.exit(1); });
`;

interface ChildResult {
  kind: string;
  installed: boolean;
  bodies: number;
  accepted: number;
  stats?: { created: number; acquired: number; open: number; inUse: number; idle: number };
  acquiredAfterDetach?: number;
  detached: boolean;
}

async function scenario(userland: boolean): Promise<ChildResult> {
  const { stdout } = await run(process.execPath, ['-e', HOOK + SCENARIO], {
    cwd: ROOT,
    env: { ...process.env, PA_ROOT: ROOT, PA_USERLAND: userland ? '1' : '0' },
    timeout: 60_000,
  });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as ChildResult;
}

describe("Node's global fetch, audited with auditGlobalDispatcher()", () => {
  it.each([
    ['the undici bundled in Node', false],
    ['an installed undici that set the global dispatcher', true],
  ])('counts the connections of %s', async (_label, userland) => {
    const result = await scenario(userland);
    expect(result.kind).toBe('Agent');
    expect(result.installed).toBe(userland);
    expect(result.bodies).toBe(8);
    expect(result.stats).toBeDefined();
    // Every connection the server accepted was counted, and every fetch was a use of one.
    expect(result.stats?.created).toBe(result.accepted);
    expect(result.stats?.created).toBeGreaterThanOrEqual(1);
    expect(result.stats?.acquired).toBe(8);
    expect(result.stats?.open).toBe(result.accepted);
    expect(result.stats?.inUse).toBe(0);
    expect(result.detached).toBe(true);
    expect(result.acquiredAfterDetach).toBe(8);
  });
});
