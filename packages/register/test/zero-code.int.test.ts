import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../test/harness/free-port';
import { REGISTER_CJS, REGISTER_ESM, REPO_ROOT, startNode } from '../../../test/harness/node-child';

// The examples' service: a mysql2 pool of 100 keeping 10 idle under bursts of 50, and axios without keep-alive.
const CHURN =
  /warning max-idle-churn mysql2 root@127\.0\.0\.1:3306\/test: .*maxIdle=10.* Advice: Set maxIdle to at least \d+/;
const SERVICE_LINE = /^service: \d+ queries, \d+ requests, 0 errors\n$/;
// …and its HTTP destination: the agent's keep-alive is off, a connection per request.
const HTTP_CHURN =
  /warning http-keep-alive-disabled http\.Agent keepAlive=false http:\/\/127\.0\.0\.1:\d+: .* Advice: Turn HTTP keep-alive on \(keepAlive\)/;
// Neither the server closing after the request asked it to, nor a client closing a moment later, is a fault.
const NOT_FAULTS = /server-closes-first|close-wait/;

describe('node --require / --import @poolaudit/register, no code changed', () => {
  it('CommonJS: stderr shows max-idle-churn with advice within 10 s; exit code and stdout are the app’s own', async () => {
    const run = startNode(['--require', REGISTER_CJS, 'examples/zero-code/app.js'], { DURATION_MS: '5000' });
    const [line] = await Promise.all([
      run.waitForLine('stderr', CHURN, 10_000),
      run.waitForLine('stderr', HTTP_CHURN, 10_000),
    ]);
    expect(line).toMatch(/^poolaudit\[pid \d+\] /);
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toMatch(SERVICE_LINE);
    expect(run.stderr()).not.toMatch(NOT_FAULTS);
  });

  it('ESM through NODE_OPTIONS=--import: the same finding', async () => {
    const run = startNode(['examples/zero-code/app.mjs'], {
      DURATION_MS: '5000',
      NODE_OPTIONS: `--import ${REGISTER_ESM}`,
    });
    await Promise.all([
      run.waitForLine('stderr', CHURN, 10_000),
      run.waitForLine('stderr', HTTP_CHURN, 10_000),
    ]);
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toMatch(SERVICE_LINE);
    expect(run.stderr()).not.toMatch(NOT_FAULTS);
  });
});

describe('http and https agents', () => {
  // The fixture's own server is audited too, from its side (@poolaudit/server).
  const NAMES = [
    'TracingAgent keepAlive=true <origin>',
    'http-server <address>',
    'http.Agent keepAlive=false <origin>',
    'http.Agent keepAlive=true maxSockets=4 <origin>',
    'http.globalAgent <origin>',
  ];

  it('CommonJS: new Agent(), a subclass and the global agent, each used in the tick it was made', async () => {
    const run = startNode(['--require', REGISTER_CJS, 'packages/register/test/fixtures/http-app.js']);
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    expect(JSON.parse(run.stdout())).toEqual({ names: NAMES, instances: true, httpsAgent: true });
    expect(run.stderr()).toBe('');
  });

  it("ESM: the named Agent export and the default export's", async () => {
    const run = startNode(['--import', REGISTER_ESM, 'packages/register/test/fixtures/http-app.mjs']);
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    expect(JSON.parse(run.stdout())).toEqual([
      'http-server <address>',
      'http.Agent keepAlive=false <origin>',
      'http.Agent keepAlive=true maxSockets=2 <origin>',
    ]);
    expect(run.stderr()).toBe('');
  });

  it('POOLAUDIT_DISABLE=http leaves node:http as it was', async () => {
    const run = startNode(['--require', REGISTER_CJS, 'packages/register/test/fixtures/http-app.js'], {
      POOLAUDIT_DISABLE: 'http',
    });
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    expect(JSON.parse(run.stdout())).toEqual({ names: [], instances: true, httpsAgent: true });
  });
});

describe('gRPC', () => {
  it('clients from makeGenericClientConstructor and loadPackageDefinition; a client per call is reported', async () => {
    const run = startNode(['--require', REGISTER_CJS, 'packages/register/test/fixtures/grpc-app.js'], {
      DURATION_MS: '4000',
    });
    const line = await run.waitForLine(
      'stderr',
      /warning client-per-request grpc dns:127\.0\.0\.1:\d+: /,
      10_000,
    );
    expect(line).toMatch(/Advice: Create one grpc client when the service starts and share it/);
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    const { perRequest, pools } = JSON.parse(run.stdout()) as {
      perRequest: number;
      pools: { name: string; acquired: number; created: number }[];
    };
    expect(perRequest).toBeGreaterThan(20);
    expect(pools).toEqual([
      { name: 'grpc dns:127.0.0.1:<port>', acquired: perRequest, created: perRequest },
      { name: 'grpc dns:localhost:<port>', acquired: 20, created: 1 },
    ]);
  });
});

describe('POOLAUDIT_PROCESS_SOCKETS=1', () => {
  it('names the code behind TIME_WAIT that no pool explains, in an app with no pool at all', async () => {
    const run = startNode(['--require', REGISTER_CJS, 'packages/register/test/fixtures/unaudited-app.js'], {
      POOLAUDIT_PROCESS_SOCKETS: '1',
      DURATION_MS: '9000',
    });
    const line = await run.waitForLine('stderr', /info unaudited-time-wait \(unaudited\)/, 15_000);
    expect(line).toMatch(
      /\d+ of them are this process's unaudited connections \(confirmed by the kernel; made at /,
    );
    expect(line).toMatch(/packages\/register\/test\/fixtures\/unaudited-app\.js:\d+ via node:net/);
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toMatch(/^app: \d+ connections\n$/);
  });
});

describe('pool names', () => {
  it('come from what the library knows, and a name the application gives in code stands', async () => {
    const run = startNode(['--require', REGISTER_CJS, 'packages/register/test/fixtures/named-in-code.js']);
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    expect(JSON.parse(run.stdout())).toEqual(['orders-db', 'mysql2 app@127.0.0.1:3306/test']);
    expect(run.stderr()).toBe('');
  });
});

describe('knex (tarn)', () => {
  it("knex's pool is audited, named by the line that called knex()", async () => {
    const run = startNode(['--require', REGISTER_CJS, 'packages/register/test/fixtures/knex-app.js']);
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    expect(JSON.parse(run.stdout())).toEqual({
      rows: [{ one: 1 }],
      name: 'tarn packages/register/test/fixtures/knex-app.js:5',
      acquired: 1,
      open: 1,
    });
    expect(run.stderr()).toBe('');
  });
});

describe('node-redis', () => {
  it('a createClient() client and a createClientPool() pool are audited, the pool with its options', async () => {
    const run = startNode(['--require', REGISTER_CJS, 'packages/register/test/fixtures/node-redis-app.js']);
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    expect(JSON.parse(run.stdout())).toEqual({
      value: 'v',
      pools: [
        { name: 'node-redis 127.0.0.1:6379', kind: 'node-redis', acquired: 2, idleTimeoutMs: null },
        { name: 'node-redis-pool 127.0.0.1:6379', kind: 'node-redis-pool', acquired: 4, idleTimeoutMs: 500 },
      ],
    });
    expect(run.stderr()).toBe('');
  });
});

describe('http servers', () => {
  it('POOLAUDIT_DISABLE=http-server leaves the servers alone and audits the agents', async () => {
    const off = startNode(['--require', REGISTER_CJS, 'packages/register/test/fixtures/http-app.js'], {
      POOLAUDIT_DISABLE: 'http-server',
    });
    expect(await off.exited()).toEqual({ code: 0, signal: null });
    const names = (JSON.parse(off.stdout()) as { names: string[] }).names;
    expect(names).not.toContain('http-server <address>');
    expect(names).toContain('http.globalAgent <origin>');
    // The adapter says once that it leaves them alone, and nothing else is said.
    expect(off.stderr().trim().split('\n')).toEqual([
      expect.stringMatching(/POOLAUDIT_DISABLE names http-server: http-server pools are not audited/),
    ]);
  });
});

describe('renaming', () => {
  it('a pool the hook named is renamed by auditing it again in code, after use, history kept', async () => {
    const run = startNode(['--require', REGISTER_CJS, 'packages/register/test/fixtures/named-later.js']);
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    // The fixture's server, audited by the hook from its side, served both requests.
    expect(JSON.parse(run.stdout())).toEqual({
      before: 3,
      names: ['http-server', 'orders-db', 'pricing'],
      acquired: { 'http-server': 2, 'orders-db': 2, pricing: 2 },
    });
    expect(run.stderr()).toBe('');
  });
});

describe('pg', () => {
  it('CommonJS: new pg.Pool() is audited, named from its options', async () => {
    const run = startNode(['--require', REGISTER_CJS, 'packages/register/test/fixtures/pg-app.js']);
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    expect(JSON.parse(run.stdout())).toEqual({ name: 'pg root@127.0.0.1:5432/test', acquired: 2 });
    expect(run.stderr()).toBe('');
  });

  it("ESM: both the default export's Pool and the named Pool export are audited", async () => {
    const run = startNode(['--import', REGISTER_ESM, 'packages/register/test/fixtures/pg-app.mjs']);
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    expect(JSON.parse(run.stdout())).toEqual([
      { name: 'pg root@127.0.0.1:5432/test', acquired: 1 },
      { name: 'pg postgres@127.0.0.1:5432/test', acquired: 1 },
    ]);
    expect(run.stderr()).toBe('');
  });
});

describe('options the libraries drop', () => {
  it("mysql2 and generic-pool typos are unknown-option findings: the hook passes createPool()'s options", async () => {
    const run = startNode(['--require', REGISTER_CJS, 'packages/register/test/fixtures/typo-app.js']);
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    expect(JSON.parse(run.stdout())).toEqual([
      ['mysql2/unknown-option', 'maxIdel', 'maxIdle'],
      ['generic-pool/unknown-option', 'acquireTimeoutMilis', 'acquireTimeoutMillis'],
    ]);
  });
});

describe('a library the hook cannot take leaves the application exactly as it was', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'poolaudit-register-'));
    const write = (path: string, text: string): void => {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    // mysql2 2.x: outside the adapter's range.
    write('node_modules/mysql2/package.json', '{ "name": "mysql2", "version": "2.3.3", "main": "index.js" }');
    write(
      'node_modules/mysql2/index.js',
      'exports.createPool = function createPool() { return { version: 2 }; };',
    );
    // A supported generic-pool whose exports cannot be replaced: the hook fails and must change nothing.
    write(
      'node_modules/generic-pool/package.json',
      '{ "name": "generic-pool", "version": "3.9.0", "main": "index.js" }',
    );
    write(
      'node_modules/generic-pool/index.js',
      'class Pool {}\nmodule.exports = Object.freeze({ Pool, createPool: () => new Pool() });',
    );
    write(
      'app.js',
      [
        "const mysql = require('mysql2');",
        "const genericPool = require('generic-pool');",
        'console.log(JSON.stringify({',
        "  mysql2: mysql.createPool.toString().includes('version: 2') && mysql.createPool().version === 2,",
        '  genericPool: Object.isFrozen(genericPool) && genericPool.createPool() instanceof genericPool.Pool,',
        '  keys: Object.keys(mysql).concat(Object.keys(genericPool)),',
        '}));',
        'process.exitCode = 3;',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('logs one line per library and changes neither exports, output nor exit code', async () => {
    const plain = startNode(['app.js'], {}, dir);
    const hooked = startNode(['--require', REGISTER_CJS, 'app.js'], {}, dir);
    const [plainExit, hookedExit] = await Promise.all([plain.exited(), hooked.exited()]);
    expect(plainExit).toEqual({ code: 3, signal: null });
    expect(hookedExit).toEqual(plainExit);
    expect(hooked.stdout()).toBe(plain.stdout());
    expect(JSON.parse(hooked.stdout())).toEqual({
      mysql2: true,
      genericPool: true,
      keys: ['createPool', 'Pool', 'createPool'],
    });
    const lines = hooked.stderr().trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^poolaudit\[pid \d+\] mysql2 2\.3\.3 is not supported \(@poolaudit\/mysql2 supports \^3\.0\.0\); its pools are not audited$/,
      ),
      expect.stringMatching(
        /^poolaudit\[pid \d+\] hooking generic-pool failed \(export createPool cannot be replaced\); generic-pool is left as it was, unaudited$/,
      ),
    ]);
  });
});

describe('the metrics endpoint', () => {
  it('binds 127.0.0.1, serves Prometheus text without secrets, and keeps nothing alive', async () => {
    const port = await freePort();
    const secret = 'hunter2-Zq9';
    const run = startNode(['--require', REGISTER_CJS, 'packages/register/test/fixtures/secrets-app.js'], {
      APP_SECRET: secret,
      POOLAUDIT_PROMETHEUS_PORT: String(port),
      POOLAUDIT_REPORT_INTERVAL: '200ms',
    });
    await run.waitForLine('stderr', new RegExp(`metrics on http://127\\.0\\.0\\.1:${port}/metrics`));
    await run.waitForLine('stdout', /^app: ready/);
    // Wait for a periodic report: both pools are registered by then.
    await run.waitForLine('stderr', /redis 127\.0\.0\.1:6379 \{MaxOpenConnections/);
    const listening = execFileSync('ss', ['-Htln', `( sport = :${port} )`], { encoding: 'utf8' });
    expect(
      listening
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[3]),
    ).toEqual([`127.0.0.1:${port}`]);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toMatch(
      /^poolaudit_connection_created_total\{.*pool_name="mysql2 root@127\.0\.0\.1:3306\/test"/m,
    );
    expect(body).toMatch(/pool_name="redis 127\.0\.0\.1:6379"/);
    expect(body).not.toContain(secret);
    run.child.stdin?.write('quit\n');
    // The process ends by itself: the endpoint, its scrape connection and the timers are unref'd.
    expect(await run.exited(15_000)).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toBe('app: ready\napp: done\n');
    expect(run.stderr()).not.toContain(secret);
  });
});

describe('under node:cluster', () => {
  it('audits every worker, each naming itself and showing its share of the host’s TIME_WAIT', async () => {
    const run = startNode(['--require', REGISTER_CJS, 'packages/register/test/fixtures/cluster-app.js'], {
      POOLAUDIT_REPORT_INTERVAL: '1s',
    });
    const share = (worker: number): RegExp =>
      new RegExp(
        `^poolaudit\\[worker ${worker} pid \\d+\\] 127\\.0\\.0\\.1:3306 TIME_WAIT: this process [1-9]\\d* counted .*; host [1-9]\\d* in the kernel \\(this process \\d+(\\.\\d)?%\\)`,
      );
    await Promise.all([run.waitForLine('stderr', share(1)), run.waitForLine('stderr', share(2))]);
    expect(await run.exited()).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toBe('primary: workers done\n');
  });
});

describe('under PM2 (cluster mode)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'poolaudit-pm2-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('audits both instances, each named by its NODE_APP_INSTANCE, with its share of the host’s TIME_WAIT', async () => {
    // PM2 hands a cluster instance its env (POOLAUDIT_* and NODE_APP_INSTANCE) packed in pm2_env, unpacked
    // only after --require ran: the hook must read it from there.
    const config = join(dir, 'ecosystem.config.js');
    writeFileSync(
      config,
      `module.exports = ${JSON.stringify({
        apps: [
          {
            name: 'svc',
            script: join(REPO_ROOT, 'packages/register/test/fixtures/churning-worker.js'),
            cwd: REPO_ROOT,
            instances: 2,
            exec_mode: 'cluster',
            node_args: `--require ${REGISTER_CJS}`,
            autorestart: false,
            env: { POOLAUDIT_REPORT_INTERVAL: '1s', DURATION_MS: '6000' },
          },
        ],
      })};\n`,
    );
    const pm2 = join(REPO_ROOT, 'node_modules/pm2/bin/pm2-runtime');
    const run = startNode([pm2, 'start', config], { PM2_HOME: join(dir, 'home') }, dir);
    const share = (worker: number): RegExp =>
      new RegExp(
        `^poolaudit\\[worker ${worker} pid \\d+\\] 127\\.0\\.0\\.1:3306 TIME_WAIT: this process [1-9]\\d* counted .*; host [1-9]\\d* in the kernel \\(this process \\d+(\\.\\d)?%\\)`,
      );
    try {
      await Promise.all([
        run.waitForLine('stderr', share(0), 20_000),
        run.waitForLine('stderr', share(1), 20_000),
      ]);
    } finally {
      run.child.kill('SIGINT');
      await run.exited(15_000);
    }
  });
});
