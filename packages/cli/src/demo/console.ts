import { createConnection } from 'node:net';
import { formatTimeWait } from '@poolaudit/core';
import type { Auditor, Finding, PoolSnapshot } from '@poolaudit/core';
import { observeHost } from '@poolaudit/host';
import type { HostObservation } from '@poolaudit/host';
import type { Io } from '../main.js';

/** Writes the demo's lines and sections. */
export class DemoConsole {
  constructor(private readonly io: Io) {}

  line(text = ''): void {
    this.io.out(`${text}\n`);
  }

  section(title: string): void {
    this.line();
    this.line(`━━ ${title} ${'━'.repeat(Math.max(0, 96 - title.length))}`);
  }

  findings(title: string, findings: readonly Finding[]): void {
    this.line(`  ${title}:${findings.length === 0 ? ' none' : ''}`);
    for (const f of findings) {
      this.line(`    [${f.severity}] ${f.code}: ${f.message}`);
      this.line(`      → ${f.advice}`);
    }
  }
}

/**
 * The demo's view of the kernel: a host observation of the demo's auditor, scanned on demand, so that each
 * printed footprint is the one the kernel confirmed per 4-tuple (or, where no table can be read, the counted
 * one, and the line says which).
 */
export class KernelView {
  private readonly observation: HostObservation;
  /** The demo pool's server, once it has connected. */
  private endpoint: string | undefined;

  constructor(private readonly auditor: Auditor) {
    // Scans run when a line is printed; the interval only keeps a scan from going stale.
    this.observation = observeHost(auditor, { intervalMs: 60_000, logger: SILENT });
  }

  /** The demo's one pool now, or undefined before it registered; remembers its server for `timeWait`. */
  pool(): PoolSnapshot | undefined {
    const snapshot = this.auditor.snapshot();
    this.endpoint ??= snapshot.endpoints[0]?.endpoint;
    return snapshot.pools[0];
  }

  /** `TIME_WAIT→127.0.0.1:3306: ours 12 confirmed by the kernel (…), kernel 14`, after a fresh scan. */
  async timeWait(endpoint: string | undefined = this.endpoint): Promise<string> {
    await this.observation.refresh();
    const snapshot = this.auditor.snapshot();
    const stats = snapshot.pools[0]?.stats;
    const kernel = endpoint === undefined ? undefined : this.observation.table?.byRemote.get(endpoint);
    const ours = stats ? formatTimeWait(stats).replace(/^TIME_WAIT /, '') : 'n/a';
    const all = endpoint === undefined || !this.observation.table ? 'n/a' : (kernel?.timeWait ?? 0);
    return `TIME_WAIT→${endpoint ?? '?'}: ours ${ours}, kernel (every process) ${all}`;
  }

  close(): void {
    this.observation.detach();
  }
}

const SILENT = { info: () => undefined, warn: () => undefined };

/** Resolves after `ms`. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether a TCP server answers at host:port within a short time. */
export function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
