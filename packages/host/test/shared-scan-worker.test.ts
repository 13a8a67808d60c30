import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { readSocketTable } from '../src/index.js';
import { scanWorkerFile, sharedScanThread } from '../src/internal/scan-thread.js';
import { ProcFixture } from './support/proc-fixture.js';
import type { FixtureSocket } from './support/proc-fixture.js';

const DB: [string, number] = ['10.0.0.5', 3306];
const tw = (localPort: number): FixtureSocket => ({
  local: ['10.0.0.1', localPort],
  remote: DB,
  st: 6,
  tr: 3,
  when: 5968,
});

let fx: ProcFixture;
beforeEach(() => {
  fx = new ProcFixture();
});
afterEach(() => fx.remove());

// The worker runs the compiled copy in dist/: `npx tsc -b packages/host` builds it.
const workerFile = (): string => {
  const file = scanWorkerFile();
  if (file === undefined) throw new Error('build @poolaudit/host first (npx tsc -b packages/host)');
  return file;
};

describe('the shared scan worker', () => {
  it('is one worker for every off-thread scan, started again after it stopped', async () => {
    fx.standard([tw(40001), tw(40002)]);
    const thread = sharedScanThread(workerFile());
    expect(sharedScanThread(workerFile())).toBe(thread);
    const first = await readSocketTable({ procRoot: fx.root, offThread: true });
    const [a, b] = await Promise.all([
      readSocketTable({ procRoot: fx.root, offThread: true }),
      readSocketTable({ procRoot: fx.root, offThread: true }),
    ]);
    for (const t of [first, a, b]) {
      expect(t.offThread).toBe(true);
      expect(t.byRemote.get('10.0.0.5:3306')?.timeWait).toBe(2);
    }
    // Stopped (as when the worker dies): the next scan starts a new one and answers the same.
    thread.close();
    const again = await readSocketTable({ procRoot: fx.root, offThread: true });
    expect(again.offThread).toBe(true);
    expect(again.byRemote).toEqual(first.byRemote);
    expect(sharedScanThread(workerFile())).toBe(thread);
  });

  it('keeps the process alive while it scans, and not once idle', async () => {
    fx.standard([tw(40001)]);
    const index = join(__dirname, '..', 'dist', 'index.js');
    const script =
      `require(${JSON.stringify(index)}).readSocketTable({ procRoot: ${JSON.stringify(fx.root)}, offThread: true })` +
      `.then((t) => console.log(t.offThread, t.byRemote.get('10.0.0.5:3306').timeWait))`;
    // Nothing else is alive in the child: it prints only if the busy worker held it, exits only if the idle one lets go.
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['-e', script], { timeout: 20_000 }, (err, stdout) => {
        if (err) reject(new Error(`the child failed: ${err.message}`));
        else resolve(stdout);
      });
    });
    expect(out.trim()).toBe('true 1');
  });
});
