import cluster from 'node:cluster';
import type { ProcessIdentity } from '../types.js';

/**
 * Which process this is: a `cluster` worker (PM2's cluster mode is one too), a PM2 fork-mode instance
 * (`NODE_APP_INSTANCE`, 0-based, stable across restarts, unlike the cluster id), or a lone process.
 */
export function processIdentity(env: NodeJS.ProcessEnv = process.env): ProcessIdentity {
  const pid = process.pid;
  const instance = env['NODE_APP_INSTANCE'];
  let worker: number | undefined;
  if (instance !== undefined && /^\d+$/.test(instance)) worker = Number(instance);
  else if (cluster.isWorker && cluster.worker) worker = cluster.worker.id;
  return { pid, worker, label: worker === undefined ? `pid ${pid}` : `worker ${worker} pid ${pid}` };
}
