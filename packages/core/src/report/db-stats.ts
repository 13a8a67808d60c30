import type { PoolStats, TimeWaitStats } from '../types.js';

/**
 * The Go `database/sql` `DBStats` line, field for field as `fmt.Printf("%+v", db.Stats())` prints it:
 * `{MaxOpenConnections:100 OpenConnections:51 InUse:49 Idle:2 WaitCount:0 WaitDuration:0s MaxIdleClosed:131
 * MaxIdleTimeClosed:0 MaxLifetimeClosed:0}`. An unlimited pool prints `MaxOpenConnections:0`, as in Go.
 */
export function formatDBStats(stats: PoolStats): string {
  return (
    `{MaxOpenConnections:${stats.maxOpen ?? 0} OpenConnections:${stats.open} InUse:${stats.inUse} ` +
    `Idle:${stats.idle} WaitCount:${stats.waitCount} WaitDuration:${formatGoDuration(stats.waitDurationMs)} ` +
    `MaxIdleClosed:${stats.closed.maxIdle} MaxIdleTimeClosed:${stats.closed.idleTimeout} ` +
    `MaxLifetimeClosed:${stats.closed.maxLifetime}}`
  );
}

/**
 * The companion of the `DBStats` line, saying which figure it shows: `TIME_WAIT 12 confirmed by the kernel
 * (17 local closes counted, 5 ended in a reset) 0.2/s` or `TIME_WAIT 17 counted (local closes) 0.28/s`.
 */
export function formatTimeWait(stats: PoolStats): string {
  return `TIME_WAIT ${footprintText(stats.timeWait)} ${stats.timeWait.ratePerSecond}/s`;
}

/** The footprint and where it comes from, in words. */
export function footprintText(t: TimeWaitStats): string {
  if (t.source === 'counted') return `${t.footprint} counted (local closes)`;
  const pending = t.unconfirmed ? `, ${t.unconfirmed} awaiting the next scan` : '';
  return (
    `${t.footprint} confirmed by the kernel (${t.counted} local closes counted, ` +
    `${t.resets ?? 0} ended in a reset${pending})`
  );
}

/** Go's `time.Duration.String()`: `0s`, `850ns`, `1.5µs`, `250ms`, `1.5s`, `2m3.25s`, `1h0m0s`. */
export function formatGoDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  ns = Math.abs(ns);
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${fraction(ns, 1e3, 3)}µs`;
  if (ns < 1e9) return `${sign}${fraction(ns, 1e6, 6)}ms`;
  const hours = Math.floor(ns / 3.6e12);
  ns -= hours * 3.6e12;
  const minutes = Math.floor(ns / 6e10);
  ns -= minutes * 6e10;
  let out = sign;
  if (hours > 0) out += `${hours}h`;
  if (hours > 0 || minutes > 0) out += `${minutes}m`;
  return `${out}${fraction(ns, 1e9, 9)}s`;
}

function fraction(value: number, unit: number, digits: number): string {
  const whole = Math.floor(value / unit);
  const rest = value - whole * unit;
  if (rest === 0) return String(whole);
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}
