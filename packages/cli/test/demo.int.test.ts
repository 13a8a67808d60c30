import { runDemo } from '../src/index.js';

describe('poolaudit demo', () => {
  it('shows churn, then no churn once the advice is applied, and ends by itself', async () => {
    let out = '';
    const code = await runDemo({ out: (t) => (out += t), err: (t) => (out += t) });
    expect(code).toBe(0);
    const summary = out.slice(out.indexOf('━━ Summary'));
    const mysql = /MySQL: (\d+) connections closed by the idle cap → (\d+) after the advice/.exec(summary);
    const pg = /PostgreSQL: (\d+) connections opened → (\d+) after the advice/.exec(summary);
    const http = /HTTP: (\d+) connections opened → (\d+) after the advice/.exec(summary);
    const agents = /http\.Agent: (\d+) connections opened → (\d+) after the advice/.exec(summary);
    const redis = /Redis: (\d+) connections opened → (\d+) after the advice/.exec(summary);
    const nodeRedis = /node-redis: (\d+) connections cleaned up → (\d+) after the advice/.exec(summary);
    const grpc = /gRPC: (\d+) connections opened → (\d+) after the advice/.exec(summary);
    expect(Number(mysql?.[1])).toBeGreaterThan(50);
    expect(Number(mysql?.[2])).toBe(0);
    expect(Number(pg?.[1])).toBeGreaterThan(10);
    expect(Number(pg?.[2])).toBe(1);
    expect(out).toMatch(/\[warning\] idle-timeout-churn: accounts-db .*idleTimeoutMillis=200 ms/);
    expect(Number(http?.[1])).toBeGreaterThan(10);
    expect(Number(http?.[2])).toBe(1);
    expect(Number(agents?.[1])).toBeGreaterThan(20);
    expect(Number(agents?.[2])).toBe(1);
    expect(out).toMatch(/\[warning\] client-per-request: \d+ http-agent clients/);
    expect(Number(redis?.[1])).toBeGreaterThan(20);
    expect(Number(redis?.[2])).toBe(1);
    expect(Number(nodeRedis?.[1])).toBe(14);
    expect(Number(nodeRedis?.[2])).toBe(0);
    expect(out).toMatch(/\[warning\] idle-timeout-churn: sessions .*cleanupDelay=3 s/);
    expect(Number(grpc?.[1])).toBeGreaterThan(20);
    expect(Number(grpc?.[2])).toBe(1);
    expect(out).toContain('[warning] max-idle-churn');
    expect(out).toContain('[warning] client-per-request');
    expect(out).toContain("the server's Keep-Alive: timeout=1 hint");
    // Each round's footprint is the kernel-confirmed one, and the line says so.
    expect(out).toMatch(
      /TIME_WAIT→127\.0\.0\.1:3306: ours \d+ confirmed by the kernel \(\d+ local closes counted/,
    );
  }, 120_000);
});
