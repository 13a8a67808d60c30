import type {
  ClosedBy,
  ClosedByCounts,
  EndpointStats,
  KernelEndpointView,
  PortRange,
  TimeWaitStats,
} from '../types.js';
import { SecondWindow } from './second-window.js';
import { KernelVerdicts, kernelFootprint } from './time-wait-confirmation.js';
import type { KernelFootprint } from './time-wait-confirmation.js';

/** Counters for one remote endpoint, kept per pool and once more across all pools. */
export class EndpointLedger {
  created = 0;
  open = 0;
  readonly closedBy = { local: 0, remote: 0, reset: 0, unknown: 0 };
  /** Connections closed here first, per second: each is one TIME_WAIT socket for the window's length. */
  readonly localCloses: SecondWindow;
  readonly opens: SecondWindow;
  /** What the kernel made of the closes toward this endpoint. */
  readonly verdicts: KernelVerdicts;

  constructor(
    readonly endpoint: string,
    windowSeconds: number,
  ) {
    this.localCloses = new SecondWindow(windowSeconds);
    this.opens = new SecondWindow(windowSeconds);
    this.verdicts = new KernelVerdicts(windowSeconds);
  }

  /** The footprint in force at `second`: the kernel's when `confirmed`, else the count of local closes. */
  footprint(second: number, confirmed: boolean): number {
    if (!confirmed) return this.localCloses.sum(second);
    return this.verdicts.confirmed.sum(second) + this.verdicts.unconfirmed;
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

  /** `confirmed`: a host scan has answered, so the footprint is the kernel's. */
  stats(
    second: number,
    portRange: PortRange,
    kernel: KernelEndpointView | undefined,
    confirmed: boolean,
  ): EndpointStats {
    const counted = this.localCloses.sum(second);
    const verdict = confirmed ? kernelFootprint(this.verdicts, second) : null;
    const base = {
      endpoint: this.endpoint,
      open: this.open,
      created: this.created,
      closedBy: { ...this.closedBy } as ClosedByCounts,
      timeWait: timeWaitStats(counted, verdict, this.localCloses.length, portRange),
    };
    return kernel ? { ...base, kernel } : base;
  }
}

/** Ports a destination has: the ephemeral range, inclusive. */
export function portRangeSize(range: PortRange): number {
  return range.high - range.low + 1;
}

/** The TIME_WAIT figures of a ledger: the kernel's verdict when there is one, else the count. */
export function timeWaitStats(
  counted: number,
  verdict: KernelFootprint | null,
  windowSeconds: number,
  portRange: PortRange,
): TimeWaitStats {
  const footprint = verdict === null ? counted : verdict.confirmed + verdict.unconfirmed;
  return {
    footprint,
    source: verdict === null ? 'counted' : 'kernel',
    counted,
    confirmed: verdict?.confirmed ?? null,
    resets: verdict?.resets ?? null,
    unconfirmed: verdict?.unconfirmed ?? null,
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
