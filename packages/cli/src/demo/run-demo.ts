import type { Io } from '../main.js';
import { DemoConsole, reachable } from './console.js';
import { grpcPart } from './grpc-part.js';
import { httpAgentPart } from './http-agent-part.js';
import { httpPart } from './http-part.js';
import { loadDemoLibrary } from './library.js';
import { mysqlPart } from './mysql-part.js';
import { pgPart } from './pg-part.js';
import { nodeRedisPart } from './node-redis-part.js';
import { redisPart } from './redis-part.js';

/**
 * Where the demo finds its servers: `POOLAUDIT_MYSQL_URL`, `POOLAUDIT_PG_URL` and `POOLAUDIT_REDIS_URL`, else
 * the local defaults.
 */
export interface DemoServers {
  readonly mysqlUrl: string;
  readonly pgUrl: string;
  readonly redisUrl: string;
}

export function demoServers(env: NodeJS.ProcessEnv = process.env): DemoServers {
  return {
    mysqlUrl: env['POOLAUDIT_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/test',
    pgUrl: env['POOLAUDIT_PG_URL'] ?? 'postgres://root@127.0.0.1:5432/test',
    redisUrl: env['POOLAUDIT_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  };
}

/**
 * `poolaudit demo`: the churn lab. Reproduces connection churn live — in-process HTTP and gRPC servers always,
 * the MySQL/MariaDB, PostgreSQL and Redis servers when they answer — shows what poolaudit reports, applies its advice and
 * shows the churn stop. Ends by itself in well under a minute.
 */
export async function runDemo(io: Io, servers: DemoServers = demoServers()): Promise<number> {
  const out = new DemoConsole(io);
  const summary: string[] = [];
  out.line('poolaudit demo — the churn lab. Real pools, real servers on this machine, real sockets.');
  out.line(
    "Each part runs a misconfigured pool, shows the Go DBStats-style figures and the kernel's TIME_WAIT count,",
  );
  out.line('prints the findings and their advice, applies the advice and runs the same load again.');

  const mysqlUrl = new URL(servers.mysqlUrl);
  const mysqlPort = Number(mysqlUrl.port || 3306);
  out.section(`MySQL pool → ${mysqlUrl.hostname}:${mysqlPort}`);
  const mysql2 = loadDemoLibrary('mysql2');
  if (!mysql2) {
    out.line(`  ${notInstalled('mysql2')}`);
    summary.push('MySQL: skipped, mysql2 not installed');
  } else if (await reachable(mysqlUrl.hostname, mysqlPort)) {
    const r = await mysqlPart(out, mysql2, servers.mysqlUrl);
    summary.push(
      `MySQL: ${r.closedBefore} connections closed by the idle cap → ${r.closedAfter} after the advice`,
    );
  } else {
    out.line(
      `  No MySQL/MariaDB server answers at ${mysqlUrl.hostname}:${mysqlPort}: this part is skipped (set POOLAUDIT_MYSQL_URL).`,
    );
    summary.push('MySQL: skipped, no server');
  }

  const pgUrl = new URL(servers.pgUrl);
  const pgPort = Number(pgUrl.port || 5432);
  out.section(`PostgreSQL pool (pg) → ${pgUrl.hostname}:${pgPort}`);
  const pg = loadDemoLibrary('pg');
  if (!pg) {
    out.line(`  ${notInstalled('pg')}`);
    summary.push('PostgreSQL: skipped, pg not installed');
  } else if (await reachable(pgUrl.hostname, pgPort)) {
    const r = await pgPart(out, pg, servers.pgUrl);
    summary.push(`PostgreSQL: ${r.createdBefore} connections opened → ${r.createdAfter} after the advice`);
  } else {
    out.line(
      `  No PostgreSQL server answers at ${pgUrl.hostname}:${pgPort}: this part is skipped (set POOLAUDIT_PG_URL).`,
    );
    summary.push('PostgreSQL: skipped, no server');
  }

  out.section('HTTP pool (undici) → an in-process node:http server');
  const undici = loadDemoLibrary('undici');
  if (undici) {
    const http = await httpPart(out, undici);
    summary.push(`HTTP: ${http.createdBefore} connections opened → ${http.createdAfter} after the advice`);
  } else {
    out.line(`  ${notInstalled('undici')}`);
    summary.push('HTTP: skipped, undici not installed');
  }

  out.section('HTTP agents (axios on node:http) → an in-process node:http server');
  const axios = loadDemoLibrary('axios');
  if (axios) {
    const agents = await httpAgentPart(out, axios);
    summary.push(
      `http.Agent: ${agents.createdBefore} connections opened → ${agents.createdAfter} after the advice`,
    );
  } else {
    out.line(`  ${notInstalled('axios')}`);
    summary.push('http.Agent: skipped, axios not installed');
  }

  const redisUrl = new URL(servers.redisUrl);
  const redisPort = Number(redisUrl.port || 6379);
  out.section(`Redis clients (ioredis) → ${redisUrl.hostname}:${redisPort}`);
  const ioredis = loadDemoLibrary('ioredis');
  if (!ioredis) {
    out.line(`  ${notInstalled('ioredis')}`);
    summary.push('Redis: skipped, ioredis not installed');
  } else if (await reachable(redisUrl.hostname, redisPort)) {
    const r = await redisPart(out, ioredis, redisUrl.hostname, redisPort);
    summary.push(`Redis: ${r.createdBefore} connections opened → ${r.createdAfter} after the advice`);
  } else {
    out.line(
      `  No Redis server answers at ${redisUrl.hostname}:${redisPort}: this part is skipped (set POOLAUDIT_REDIS_URL).`,
    );
    summary.push('Redis: skipped, no server');
  }

  out.section(`Redis pool (node-redis) → ${redisUrl.hostname}:${redisPort}`);
  const nodeRedis = loadDemoLibrary('redis');
  if (!nodeRedis) {
    out.line(`  ${notInstalled('redis')}`);
    summary.push('node-redis: skipped, redis not installed');
  } else if (await reachable(redisUrl.hostname, redisPort)) {
    const r = await nodeRedisPart(out, nodeRedis, servers.redisUrl);
    summary.push(`node-redis: ${r.closedBefore} connections cleaned up → ${r.closedAfter} after the advice`);
  } else {
    out.line(`  No Redis server answers at ${redisUrl.hostname}:${redisPort}: this part is skipped.`);
    summary.push('node-redis: skipped, no server');
  }

  out.section('gRPC clients (@grpc/grpc-js) → an in-process grpc-js server');
  const grpc = loadDemoLibrary('@grpc/grpc-js');
  if (grpc) {
    const r = await grpcPart(out, grpc);
    summary.push(`gRPC: ${r.createdBefore} connections opened → ${r.createdAfter} after the advice`);
  } else {
    out.line(`  ${notInstalled('@grpc/grpc-js')}`);
    summary.push('gRPC: skipped, @grpc/grpc-js not installed');
  }

  out.section('Summary');
  for (const line of summary) out.line(`  ${line}`);
  out.line();
  out.line(
    'Every connection closed here first holds a TIME_WAIT socket for 60 s; past ~470 new connections a second to one',
  );
  out.line(
    "ip:port the host runs out of ephemeral ports. `poolaudit sockets` shows the kernel's view at any time.",
  );
  return 0;
}

/** The line a part prints when the library it drives is not installed (the CLI's optional peers). */
function notInstalled(library: string): string {
  return `${library} is not installed: this part is skipped (npm install ${library} to run it).`;
}
