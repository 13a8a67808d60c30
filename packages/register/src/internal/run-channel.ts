import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { AuditSnapshot, Finding } from '@poolaudit/core';
import type { ProcessIdentity } from '../types.js';
import { destinationShares } from './output.js';

/** What a process under `poolaudit run` sends, one JSON object a line. */
export type RunMessage =
  | { readonly type: 'hello'; readonly process: ProcessIdentity; readonly argv: readonly string[] }
  | {
      readonly type: 'snapshot';
      readonly process: ProcessIdentity;
      readonly snapshot: AuditSnapshot;
      readonly destinations: ReturnType<typeof destinationShares>;
    }
  | {
      readonly type: 'finding' | 'finding-cleared';
      readonly process: ProcessIdentity;
      readonly finding: Finding;
    }
  | { readonly type: 'log'; readonly process: ProcessIdentity; readonly message: string };

/**
 * The line to `poolaudit run`: a Unix socket (a named pipe on Windows) whose path the CLI puts in
 * `POOLAUDIT_RUN_SOCKET`, so that every process of the service (cluster workers, processes a script starts)
 * reports, each saying which it is. Unref'd; a write to a closed CLI is dropped without a word.
 */
export class RunChannel {
  private readonly socket: Socket;
  private open = true;

  constructor(
    path: string,
    private readonly identity: ProcessIdentity,
  ) {
    this.socket = connect(path);
    this.socket.unref();
    this.socket.on('error', () => {
      this.open = false;
    });
    this.socket.on('close', () => {
      this.open = false;
    });
    this.send({ type: 'hello', process: identity, argv: process.argv.slice(1) });
  }

  snapshot(snapshot: AuditSnapshot): void {
    this.send({
      type: 'snapshot',
      process: this.identity,
      snapshot,
      destinations: destinationShares(snapshot),
    });
  }

  finding(finding: Finding, cleared: boolean): void {
    this.send({ type: cleared ? 'finding-cleared' : 'finding', process: this.identity, finding });
  }

  log(message: string): void {
    this.send({ type: 'log', process: this.identity, message });
  }

  private send(message: RunMessage): void {
    if (!this.open) return;
    try {
      // A pipe write is attempted synchronously first (libuv uv_try_write), so even the one sent from an
      // 'exit' listener gets out while the CLI is reading.
      this.socket.write(`${JSON.stringify(message)}\n`);
    } catch {
      this.open = false;
    }
  }
}
