import { createConnection } from 'node:net';
import type { Finding } from '@poolaudit/core';
import { readSocketTable } from '@poolaudit/host';
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

/** TIME_WAIT sockets toward `endpoint` in the kernel's table right now (every process, not just this one). */
export async function kernelTimeWait(endpoint: string): Promise<number | undefined> {
  try {
    const table = await readSocketTable({ remote: [endpoint], states: ['timeWait'] });
    return table.byRemote.get(endpoint)?.timeWait ?? 0;
  } catch {
    return undefined;
  }
}

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
