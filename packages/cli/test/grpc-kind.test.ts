import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/index.js';

async function lintFile(text: string): Promise<{ code: number; out: string; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'poolaudit-grpc-kind-'));
  try {
    const file = join(dir, 'pools.yaml');
    writeFileSync(file, text);
    let out = '';
    let err = '';
    const code = await main(['lint', file], { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('poolaudit lint, kinds grpc and grpc-server', () => {
  it('checks channel and server options with the gRPC rules', async () => {
    const { out } = await lintFile(
      [
        'pools:',
        '  - name: pricing-grpc',
        '    kind: grpc',
        '    options:',
        "      'grpc.keepalive_time_ms': 1000",
        "      'grpc.use_local_subchannel_pool': 1",
        '  - name: pricing-server',
        '    kind: grpc-server',
        '    options:',
        "      'grpc.max_connection_age_ms': 2000",
        '',
      ].join('\n'),
    );
    for (const id of [
      'grpc/keepalive-too-frequent',
      'grpc/local-subchannel-pool',
      'grpc-server/max-connection-age-without-grace',
      'grpc-server/short-max-connection-age',
    ]) {
      expect(out).toContain(id);
    }
  });

  it('names a misspelt channel option', async () => {
    const { code, out, err } = await lintFile(
      [
        'pools:',
        '  - name: api',
        '    kind: grpc',
        '    options:',
        "      'grpc.keepalive_time': 1000",
        '',
      ].join('\n'),
    );
    expect(code).not.toBe(0);
    expect(out + err).toContain('grpc.keepalive_time');
  });
});
