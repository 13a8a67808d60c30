import * as http from 'node:http';
import * as https from 'node:https';
import { InvalidOptionError, UnsupportedPoolError, auditAgain, defaultAuditor } from '@poolaudit/core';
import type { Auditor } from '@poolaudit/core';
import { AgentAudit } from './internal/agent-audit.js';
import { isAgent } from './internal/agent-shape.js';
import type { AgentInternals } from './internal/agent-shape.js';
import type { AgentLike, AuditAgentOptions } from './types.js';

const KNOWN_OPTIONS = new Set(['name', 'auditor']);
const DEFAULT_MAX_FREE_SOCKETS = 256;
const audits = new WeakMap<object, AgentAudit>();

/**
 * Audits a Node `http.Agent` or `https.Agent` (or a subclass) and returns the very object it was given, with
 * its type. Every destination the agent connects to becomes one audited pool, named
 * `<name> <protocol>//<host>:<port>`. Sockets the agent holds already are adopted (without a connect time).
 *
 * Nothing is patched globally: five methods are wrapped on this one instance and listeners are added to
 * the sockets it creates from now on; `detach(agent)` restores it exactly. Auditing an agent twice hooks
 * nothing more: a different `name` renames its pools, another `auditor` is ignored with a warning. It costs a few property definitions and allocates nothing until the first connection, so it can
 * be called for every agent an application creates. At run time nothing is thrown into the application:
 * if auditing fails, a `POOLAUDIT_AUDIT_FAILED` warning is emitted once and the agent goes on unaudited.
 *
 * @throws UnsupportedPoolError when `agent` is not an http.Agent.
 * @throws InvalidOptionError for a bad option.
 */
export function auditAgent<A extends AgentLike>(agent: A, options?: AuditAgentOptions): A {
  const { name, auditor } = checkOptions(options);
  const target: unknown = agent;
  if (!isAgent(target)) {
    throw new UnsupportedPoolError('@poolaudit/http', 'a Node http.Agent or https.Agent', agent);
  }
  const audited = audits.get(target);
  if (audited !== undefined) {
    const rename = auditAgain(
      'auditAgent()',
      audited.auditName,
      { auditor: audited.auditor },
      { name, auditor: options?.auditor },
    );
    if (rename !== undefined) audited.rename(rename);
    return agent;
  }
  // POOLAUDIT_DISABLE names http-agent (or the auditor is disabled): the agent is handed back untouched.
  if (!auditor.audits('http-agent')) return agent;
  const audit = new AgentAudit(target, name ?? agentName(agent), auditor, (done) => {
    if (audits.get(target) === done) audits.delete(target);
  });
  audits.set(target, audit);
  return agent;
}

/**
 * Audits `http.globalAgent` and `https.globalAgent` (what `http.request`, axios, got and node-fetch use
 * when given no agent), named `http.globalAgent` and `https.globalAgent` unless `options.name` says
 * otherwise (then `<name> http` and `<name> https`). Returns both agents.
 */
export function auditGlobalAgents(options?: AuditAgentOptions): {
  readonly http: http.Agent;
  readonly https: https.Agent;
} {
  const { name, auditor } = checkOptions(options);
  const httpAgent = http.globalAgent;
  const httpsAgent = https.globalAgent;
  auditAgent(httpAgent, { name: name === undefined ? agentName(httpAgent) : `${name} http`, auditor });
  auditAgent(httpsAgent, { name: name === undefined ? agentName(httpsAgent) : `${name} https`, auditor });
  return { http: httpAgent, https: httpsAgent };
}

/**
 * Ends the audit of `agent`: the wrapped methods go back to what they were (own properties removed, so the
 * prototype's show through), listeners on its sockets are removed, and its destinations leave the
 * auditor. What was recorded stays readable. Returns whether the agent was audited.
 */
export function detach(agent: object): boolean {
  const audit = audits.get(agent);
  if (audit === undefined) return false;
  audit.detach();
  return true;
}

/** Whether `agent` is audited right now. */
export function isAudited(agent: object): boolean {
  return audits.get(agent)?.active === true;
}

/**
 * The default name of an agent's audit: `http.globalAgent` / `https.globalAgent` for the global agents,
 * else the class and the settings that decide reuse, e.g. `http.Agent keepAlive=false` or
 * `https.Agent keepAlive=true maxSockets=50 timeout=4000`. Stable: agents built with the same options get
 * the same name and so share one record per destination (an agent created per request adds up there,
 * instead of making one record per agent).
 */
export function agentName(agent: AgentLike): string {
  if (agent === http.globalAgent) return 'http.globalAgent';
  if (agent === https.globalAgent) return 'https.globalAgent';
  const a = agent as unknown as Partial<AgentInternals>;
  const protocol = a.protocol === 'https:' ? 'https' : 'http';
  const ctor = (agent as { constructor?: { name?: unknown } }).constructor?.name;
  const cls = typeof ctor === 'string' && ctor !== '' && ctor !== 'Agent' ? ctor : `${protocol}.Agent`;
  const parts = [`${cls} keepAlive=${a.keepAlive === true}`];
  if (typeof a.maxSockets === 'number' && Number.isFinite(a.maxSockets))
    parts.push(`maxSockets=${a.maxSockets}`);
  if (typeof a.maxFreeSockets === 'number' && a.maxFreeSockets !== DEFAULT_MAX_FREE_SOCKETS) {
    parts.push(`maxFreeSockets=${a.maxFreeSockets}`);
  }
  const timeout = a.options?.['timeout'];
  if (typeof timeout === 'number' && timeout > 0) parts.push(`timeout=${timeout}`);
  return parts.join(' ');
}

/** `auditAgent()`'s options, checked: bad ones throw at once, naming the option and the value. */
function checkOptions(options: unknown): { name: string | undefined; auditor: Auditor } {
  if (options === undefined) return { name: undefined, auditor: defaultAuditor };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('options', 'an object ({ name?, auditor? })', options);
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new InvalidOptionError(key, 'not given: auditAgent() takes name and auditor', o[key]);
    }
  }
  const name = o['name'];
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
    throw new InvalidOptionError('name', 'a non-empty string', name);
  }
  const auditor = o['auditor'];
  if (auditor !== undefined && !isAuditor(auditor)) {
    throw new InvalidOptionError('auditor', 'an Auditor from createAuditor()', auditor);
  }
  return { name, auditor: auditor ?? defaultAuditor };
}

function isAuditor(value: unknown): value is Auditor {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['register'] === 'function' && typeof v['snapshot'] === 'function';
}
