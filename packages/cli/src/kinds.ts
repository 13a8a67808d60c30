import type { LintRule, OptionSchema } from '@poolaudit/core';
import { genericPoolLintRules, genericPoolOptionSchema } from '@poolaudit/generic-pool';
import { grpcLintRules, grpcOptionSchema } from '@poolaudit/grpc';
import { httpAgentLintRules, httpAgentOptionSchema } from '@poolaudit/http';
import { ioredisLintRules, ioredisOptionSchema } from '@poolaudit/ioredis';
import { mysql2LintRules, mysql2OptionSchema } from '@poolaudit/mysql2';
import { pgLintRules, pgOptionSchema } from '@poolaudit/pg';
import {
  nodeRedisLintRules,
  nodeRedisOptionSchema,
  nodeRedisPoolLintRules,
  nodeRedisPoolOptionSchema,
} from '@poolaudit/redis';
import { serverLintRules, serverOptionSchema } from '@poolaudit/server';
import { tarnLintRules, tarnOptionSchema } from '@poolaudit/tarn';
import { undiciLintRules, undiciOptionSchema } from '@poolaudit/undici';

/** What the linter knows of one kind of pool: the options it accepts and the rules it checks. */
export interface KindSpec {
  readonly options: OptionSchema;
  readonly rules: readonly LintRule[];
}

/** Every kind a config file may name, with the rules its adapter package contributes. */
export const KINDS: Readonly<Record<string, KindSpec>> = {
  mysql2: { options: mysql2OptionSchema, rules: mysql2LintRules },
  pg: { options: pgOptionSchema, rules: pgLintRules },
  'generic-pool': { options: genericPoolOptionSchema, rules: genericPoolLintRules },
  tarn: { options: tarnOptionSchema, rules: tarnLintRules },
  undici: { options: undiciOptionSchema, rules: undiciLintRules },
  'http-agent': { options: httpAgentOptionSchema, rules: httpAgentLintRules },
  ioredis: { options: ioredisOptionSchema, rules: ioredisLintRules },
  'node-redis': { options: nodeRedisOptionSchema, rules: nodeRedisLintRules },
  'node-redis-pool': { options: nodeRedisPoolOptionSchema, rules: nodeRedisPoolLintRules },
  grpc: { options: grpcOptionSchema, rules: grpcLintRules },
  'grpc-server': { options: grpcOptionSchema, rules: grpcLintRules },
  'http-server': { options: serverOptionSchema, rules: serverLintRules },
};

/** Every pool rule, once. */
export function allPoolRules(): LintRule[] {
  return [...new Set(Object.values(KINDS).flatMap((k) => k.rules))];
}
