import type { AuditSnapshot, Finding } from '@poolaudit/core';
import type { DestinationShare, ProcessIdentity, RunMessage } from '@poolaudit/register';

/** What one audited process of the service last reported. */
export interface ProcessView {
  readonly process: ProcessIdentity;
  argv: readonly string[];
  snapshot: AuditSnapshot | undefined;
  destinations: readonly DestinationShare[];
  /** Findings holding now, by `code pool endpoint`. */
  readonly active: Map<string, Finding>;
}

/** A finding as it fired, with the process that reported it. */
export interface FiredFinding {
  readonly process: ProcessIdentity;
  readonly finding: Finding;
  readonly cleared: boolean;
}

/** Everything `poolaudit run` has heard from the service's processes, keyed by pid. */
export class RunState {
  readonly processes = new Map<number, ProcessView>();
  /** Every distinct finding that fired during the run (the exit summary lists them with their advice). */
  readonly fired = new Map<string, FiredFinding>();
  /** Lines the hook logged (bad settings, unsupported versions). */
  readonly logs: string[] = [];

  /** Takes one message; returns the finding event it carried, if any, for printing as it happens. */
  accept(message: RunMessage): FiredFinding | string | undefined {
    const view = this.view(message.process);
    switch (message.type) {
      case 'hello':
        view.argv = message.argv;
        return undefined;
      case 'snapshot':
        view.snapshot = message.snapshot;
        view.destinations = message.destinations;
        return undefined;
      case 'log': {
        const line = `${message.process.label}: ${message.message}`;
        this.logs.push(line);
        return line;
      }
      default: {
        const { finding } = message;
        const key = `${finding.code}\u0000${finding.pool}\u0000${finding.endpoint ?? ''}`;
        const cleared = message.type === 'finding-cleared';
        if (cleared) view.active.delete(key);
        else {
          view.active.set(key, finding);
          // The latest evidence of each finding is what the summary shows.
          this.fired.set(`${message.process.pid}\u0000${key}`, {
            process: message.process,
            finding,
            cleared,
          });
        }
        return { process: message.process, finding, cleared };
      }
    }
  }

  private view(process: ProcessIdentity): ProcessView {
    let view = this.processes.get(process.pid);
    if (view === undefined) {
      view = { process, argv: [], snapshot: undefined, destinations: [], active: new Map() };
      this.processes.set(process.pid, view);
    }
    return view;
  }
}

/** Parses one line of the run socket; undefined for anything that is not a message. */
export function parseRunMessage(line: string): RunMessage | undefined {
  try {
    const value = JSON.parse(line) as Partial<RunMessage> | null;
    if (typeof value !== 'object' || value === null || typeof value.type !== 'string') return undefined;
    if (typeof value.process?.pid !== 'number') return undefined;
    return value as RunMessage;
  } catch {
    return undefined;
  }
}
