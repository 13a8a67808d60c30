import { parentPort } from 'node:worker_threads';
import type { ScanReply } from './scan-thread.js';
import { scanTables } from './table-scan.js';
import type { ScanRequest } from './table-scan.js';

// Worker entry: the tables are read with readFileSync and parsed here, so the main thread's event loop stays free.
parentPort?.on('message', ({ id, req }: { id: number; req: ScanRequest }) => {
  let reply: ScanReply;
  try {
    reply = { id, raw: scanTables(req) };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  // The counts are typed arrays: moved to the main thread, not copied.
  const transfer: ArrayBuffer[] = [];
  if ('raw' in reply) {
    transfer.push(reply.raw.remoteCounts.buffer as ArrayBuffer, reply.raw.localCounts.buffer as ArrayBuffer);
    if (reply.raw.tupleStates) transfer.push(reply.raw.tupleStates.buffer as ArrayBuffer);
  }
  parentPort?.postMessage(reply, transfer);
});
