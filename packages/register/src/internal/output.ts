import { formatDBStats } from '@poolaudit/core';
import type { AuditLogger, AuditSnapshot, Finding } from '@poolaudit/core';
import type { LogMode, ProcessIdentity } from '../types.js';

/** Where the hook's lines go: stderr as text or JSON, or nowhere. Writing never throws into the application. */
export class Output {
  /** The auditor's and the adapters' own troubles, in the same place. */
  readonly logger: AuditLogger = {
    info: (message) => this.line('info', message),
    warn: (message) => this.line('warn', message),
  };
  private readonly prefix: string;

  constructor(
    private readonly mode: LogMode,
    private readonly identity: ProcessIdentity,
    private readonly write: (text: string) => void = (text) => process.stderr.write(text),
  ) {
    this.prefix = `poolaudit[${identity.label}]`;
  }

  /** One line about the hook itself (a bad variable, an unsupported version, a failed hook). */
  line(level: 'info' | 'warn', message: string): void {
    if (this.mode === 'json') this.json({ type: 'log', level, message });
    else this.text(message.startsWith('poolaudit: ') ? message.slice('poolaudit: '.length) : message);
  }

  finding(finding: Finding, cleared: boolean): void {
    if (this.mode === 'json') {
      this.json({ type: cleared ? 'finding-cleared' : 'finding', finding });
      return;
    }
    const where = finding.endpoint ? ` → ${finding.endpoint}` : '';
    if (cleared) this.text(`cleared ${finding.code} ${finding.pool}${where}`);
    else {
      this.text(
        `${finding.severity} ${finding.code} ${finding.pool}${where}: ${finding.message} Advice: ${finding.advice}`,
      );
    }
  }

  /**
   * The periodic report: each pool's Go `DBStats` line, and per destination the TIME_WAIT this process left
   * beside the host's total from the kernel (workers of one host share its port budget).
   */
  report(snapshot: AuditSnapshot): void {
    if (this.mode === 'json') {
      this.json({
        type: 'report',
        pools: snapshot.pools.map((p) => ({ name: p.name, kind: p.kind, stats: p.stats })),
        destinations: destinationShares(snapshot),
      });
      return;
    }
    for (const pool of snapshot.pools) this.text(`${pool.name} ${formatDBStats(pool.stats)}`);
    for (const d of destinationShares(snapshot)) {
      const host =
        d.hostTimeWait === undefined
          ? ''
          : `; host ${d.hostTimeWait} in the kernel (this process ${percent(d.processShareOfHost)}), ` +
            `${percent(d.hostPortBudgetUsed)} of the host's ports toward it`;
      this.text(
        `${d.endpoint} TIME_WAIT: this process ${d.counted} counted${d.confirmed === null ? '' : ` / ${d.confirmed} confirmed`} (${d.ratePerSecond}/s, ` +
          `${percent(d.portBudgetUsed)} of the port budget)${host}`,
      );
    }
  }

  private text(message: string): void {
    if (this.mode === 'off') return;
    this.safely(`${this.prefix} ${message}\n`);
  }

  private json(body: Record<string, unknown>): void {
    this.safely(
      `${JSON.stringify({ poolaudit: body['type'], pid: this.identity.pid, worker: this.identity.worker ?? null, ...body })}\n`,
    );
  }

  private safely(text: string): void {
    try {
      this.write(text);
    } catch {
      // stderr closed or full: the application's own writes must not fail because of ours.
    }
  }
}

/** One destination as the reports show it: this process's footprint and the host's total, when known. */
export interface DestinationShare {
  readonly endpoint: string;
  readonly pools: readonly string[];
  /** TIME_WAIT sockets this process's pools hold toward it (kernel-confirmed when a scan has run, else counted). */
  readonly timeWait: number;
  /** Closes by this process's pools within the TIME_WAIT length, read at the socket. */
  readonly counted: number;
  /** Of those, the ones the kernel showed in TIME_WAIT (matched per 4-tuple); null without a host scan. */
  readonly confirmed: number | null;
  readonly ratePerSecond: number;
  /** Share of the port budget toward it that this process holds. */
  readonly portBudgetUsed: number;
  /** TIME_WAIT sockets toward it in the kernel, from every process of the host. */
  readonly hostTimeWait: number | undefined;
  /** This process's share of the host's TIME_WAIT toward it (0–1). */
  readonly processShareOfHost: number;
  /** Share of the host's ports toward it held in TIME_WAIT. */
  readonly hostPortBudgetUsed: number;
}

/** Every destination of `snapshot`, with this process's share beside the host's total. */
export function destinationShares(snapshot: AuditSnapshot): DestinationShare[] {
  const ports = snapshot.portRange.high - snapshot.portRange.low + 1;
  return snapshot.endpoints.map((e) => {
    const host = e.kernel?.timeWait;
    return {
      endpoint: e.endpoint,
      pools: e.pools,
      timeWait: e.timeWait.footprint,
      counted: e.timeWait.counted,
      confirmed: e.timeWait.confirmed,
      ratePerSecond: e.timeWait.ratePerSecond,
      portBudgetUsed: e.timeWait.portBudgetUsed,
      hostTimeWait: host,
      processShareOfHost: host === undefined || host === 0 ? 0 : Math.min(1, e.timeWait.footprint / host),
      hostPortBudgetUsed: host === undefined ? 0 : host / ports,
    };
  });
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
