import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ProcReadError } from '../errors.js';
import type { RawScan, ScanRequest } from './table-scan.js';

/** What the worker answers: the scan, or why it failed. */
export type ScanReply = { id: number; raw: RawScan } | { id: number; error: string };

interface Pending {
  resolve(raw: RawScan): void;
  reject(err: Error): void;
}

/**
 * The compiled worker entry. Next to this file once built; when running from TypeScript sources (tests), the
 * package's `dist` copy. Without either, scans run inline and their result says `offThread: false`.
 */
export function scanWorkerFile(): string | undefined {
  const candidates = [
    join(__dirname, 'scan-worker.js'),
    join(__dirname, '..', '..', 'dist', 'internal', 'scan-worker.js'),
  ];
  return candidates.find((f) => existsSync(f));
}

/**
 * How a thread holds the process: `true` always, `false` never (background polling), `'while-busy'` only
 * while a scan is under way (an idle thread kept for later scans never keeps the process alive).
 */
export type KeepProcessAlive = boolean | 'while-busy';

/**
 * A worker thread that reads and parses the tables, started on first use and kept for the next scans (starting
 * one costs tens of ms); started again on the next scan if it dies.
 */
export class ScanThread {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly file: string,
    private readonly keepProcessAlive: KeepProcessAlive,
  ) {}

  run(req: ScanRequest): Promise<RawScan> {
    const worker = this.worker ?? this.spawn();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.keepProcessAlive === 'while-busy' && this.pending.size === 1) worker.ref();
      worker.postMessage({ id, req });
    });
  }

  /** Stops the thread; scans still running are rejected. */
  close(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new ProcReadError('the socket table scan was stopped'));
    if (worker) void worker.terminate();
  }

  private spawn(): Worker {
    const worker = new Worker(this.file);
    if (this.keepProcessAlive !== true) worker.unref();
    worker.on('message', (reply: ScanReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      // Unref'd again once idle, whatever the mode: seen here on Node 20, an unref'd worker's port was held
      // again after replies came in now and then, and a process with an observer never exited.
      if (this.keepProcessAlive !== true && this.pending.size === 0) worker.unref();
      if ('raw' in reply) p.resolve(reply.raw);
      else p.reject(new ProcReadError(`the socket table scan failed in its worker thread: ${reply.error}`));
    });
    // A worker that was already replaced (stopped by close()) fails nothing: its scans were failed then, and
    // the scans pending now are the next worker's.
    worker.on('error', (err) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(new ProcReadError(`the socket table worker thread failed: ${err.message}`));
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(new ProcReadError(`the socket table worker thread exited with code ${code}`));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
  }
}

let shared: ScanThread | undefined;

/**
 * The worker `readSocketTable` scans in: one per process, started on the first off-thread scan and kept for
 * the next ones, holding the process only while a scan is under way.
 */
export function sharedScanThread(file: string): ScanThread {
  shared ??= new ScanThread(file, 'while-busy');
  return shared;
}
