import type { ClosedBy, ClosedByCounts, EndpointStats, KernelEndpointView, PortRange } from '../types.js';
import { SecondWindow } from './second-window.js';

/** Counters for one remote endpoint, kept per pool and once more across all pools. */
export class EndpointLedger {
  created = 0;
  open = 0;
  readonly closedBy = { local: 0, remote: 0, reset: 0, unknown: 0 };
  /** Connections closed here first, per second: each is one TIME_WAIT socket for the window's length. */
  readonly localCloses: SecondWindow;
  readonly opens: SecondWindow;

  constructor(
    readonly endpoint: string,
    windowSeconds: number,
  ) {
    this.localCloses = new SecondWindow(windowSeconds);
    this.opens = new SecondWindow(windowSeconds);
  }

  opened(second: number): void {
    this.created++;
    this.open++;
    this.opens.add(second);
  }

  closed(second: number, side: ClosedBy): void {
    this.open--;
    this.closedBy[side]++;
    if (side === 'local') this.localCloses.add(second);
  }

  /** Nothing open and nothing opened or closed here first within the window: it can be forgotten. */
  quiet(second: number): boolean {
    return this.open === 0 && this.localCloses.sum(second) === 0 && this.opens.sum(second) === 0;
  }

  stats(second: number, portRange: PortRange, kernel: KernelEndpointView | undefined): EndpointStats {
    const footprint = this.localCloses.sum(second);
    const base = {
      endpoint: this.endpoint,
      open: this.open,
      created: this.created,
      closedBy: { ...this.closedBy } as ClosedByCounts,
      timeWait: timeWaitStats(footprint, this.localCloses.length, portRange),
    };
    return kernel ? { ...base, kernel } : base;
  }
}

/** Ports a destination has: the ephemeral range, inclusive. */
export function portRangeSize(range: PortRange): number {
  return range.high - range.low + 1;
}

export function timeWaitStats(footprint: number, windowSeconds: number, portRange: PortRange) {
  return {
    footprint,
    ratePerSecond: round2(footprint / windowSeconds),
    windowSeconds,
    portBudgetUsed: round4(footprint / portRangeSize(portRange)),
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
function round4(n: number): number {
  return Math.round(n * 10000) / 10000;
}
