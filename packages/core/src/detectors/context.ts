import type {
  DetectorThresholds,
  EndpointStats,
  Finding,
  PoolSnapshot,
  PortRange,
  SettingNames,
  TimeWaitStats,
  UnauditedDestination,
  WindowCount,
} from '../types.js';

/** A pool as detectors see it: the snapshot without findings. */
export type PoolView = Omit<PoolSnapshot, 'findings'>;

export interface DetectorContext {
  readonly windowSeconds: number;
  readonly portRange: PortRange;
  readonly leakDetectionThresholdMs: number;
  /** The thresholds in force for a finding code (defaults merged with the auditor's options). */
  thresholds(code: string): Required<DetectorThresholds>;
}

/** A pure function from one pool's state to at most one finding. */
export type PoolDetector = (pool: PoolView, ctx: DetectorContext) => Finding | undefined;

/**
 * A destination as detectors see it: its stats across every pool, the pools that use it (none when only
 * unaudited connections reach it), and this process's unaudited connections toward it while
 * `watchProcessSockets()` is on.
 */
export type EndpointView = EndpointStats & {
  readonly pools: readonly string[];
  readonly unaudited?: UnauditedDestination;
};

/** A pure function from one destination's state to at most one finding. */
export type EndpointDetector = (endpoint: EndpointView, ctx: DetectorContext) => Finding | undefined;

/** Enough events, spread over enough seconds: a trend, not a blip. */
export function sustained(count: WindowCount, t: Required<DetectorThresholds>): boolean {
  return count.count >= t.minEvents && count.seconds >= t.minSeconds;
}

/** The library's name for a normalized setting. */
export function setting(settings: SettingNames, key: keyof SettingNames): string {
  return settings[key] ?? key;
}

/** `1500` → `1.5 s`, `250` → `250 ms`. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms)} ms`;
}

/** Rounds a duration up to a whole second, and at least one second. */
export function ceilSeconds(ms: number): number {
  return Math.max(1000, Math.ceil(ms / 1000) * 1000);
}

/** What the pool's closes cost in TIME_WAIT, said only when sockets were seen. */
export function timeWaitClause(pool: PoolView): string {
  const { footprint, ratePerSecond } = pool.stats.timeWait;
  if (pool.stats.closedBy.local === 0) return '';
  return `; ${footprint} TIME_WAIT sockets here from its own closes (${ratePerSecond}/s, ${sourceWords(pool.stats.timeWait)})`;
}

/** Which footprint a message quotes: the kernel's per 4-tuple, or the ledger's count of local closes. */
export function sourceWords(t: TimeWaitStats): string {
  return t.source === 'kernel' ? 'confirmed by the kernel' : 'counted, not confirmed by the kernel';
}

/** What a destination finding's `pool` names when only unaudited connections reach the destination. */
export const UNAUDITED_POOL = '(unaudited)';

/** The pools a destination finding concerns, comma-separated, or `(unaudited)` when none does. */
export function poolsOf(endpoint: EndpointView): string {
  return endpoint.pools.length > 0 ? endpoint.pools.join(', ') : UNAUDITED_POOL;
}

/** The call sites behind unaudited connections, most first: `src/sync.ts:42 via node:https (100 sampled)`. */
export function callerWords(d: UnauditedDestination, max = 3): string {
  const named = d.callers.slice(0, max).map((c) => {
    const where = c.frame ?? 'no application frame on the stack';
    return `${where}${c.library ? ` via ${c.library}` : ''} (${c.connections} sampled)`;
  });
  if (named.length === 0) return 'no call site sampled';
  const rest = d.callers.length - named.length;
  return named.join(', ') + (rest > 0 ? ` and ${rest} more` : '');
}
