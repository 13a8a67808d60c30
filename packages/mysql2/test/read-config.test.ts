import { InvalidOptionError } from '@poolaudit/core';
import { readMysql2Config } from '@poolaudit/mysql2';
import mysql from 'mysql2';

describe('readMysql2Config', () => {
  it("applies mysql2's defaults: 10 connections, idle list as large, idleTimeout inert", () => {
    expect(readMysql2Config({}).config).toEqual({
      maxOpen: 10,
      maxIdle: 10,
      minIdle: 0,
      idleTimeoutMs: null,
      maxLifetimeMs: null,
      queueLimit: null,
      acquireTimeoutMs: null,
      keepAlive: true,
    });
  });

  it('enforces maxIdle and idleTimeout only when maxIdle < connectionLimit (the reaper runs)', () => {
    const { config, settings } = readMysql2Config({ connectionLimit: 100, maxIdle: 10, idleTimeout: 30_000 });
    expect(config.maxOpen).toBe(100);
    expect(config.maxIdle).toBe(10);
    expect(config.idleTimeoutMs).toBe(30_000);
    expect(settings).toMatchObject({
      maxOpen: 'connectionLimit',
      maxIdle: 'maxIdle',
      idleTimeoutMs: 'idleTimeout',
    });
    expect(readMysql2Config({ connectionLimit: 10, maxIdle: 20, idleTimeout: 5000 }).config).toMatchObject({
      maxIdle: 10,
      idleTimeoutMs: null,
    });
  });

  it('maps unlimited, queue and waitForConnections the way mysql2 reads them', () => {
    expect(readMysql2Config({ connectionLimit: 0, maxIdle: 5 }).config).toMatchObject({
      maxOpen: null,
      maxIdle: null,
      idleTimeoutMs: null,
    });
    expect(readMysql2Config({ queueLimit: 50, waitForConnections: false }).config).toMatchObject({
      queueLimit: 50,
      acquireTimeoutMs: 0,
    });
    expect(readMysql2Config({ connectionLimit: 'nope', maxIdle: '3' }).config).toMatchObject({
      maxOpen: 10,
      maxIdle: 3,
    });
    expect(readMysql2Config({ enableKeepAlive: false }).config.keepAlive).toBe(false);
  });

  it('reads URL parameters, and a live pool.config', () => {
    expect(readMysql2Config('mysql://u:p@db:3306/app?connectionLimit=20&maxIdle=4').config).toMatchObject({
      maxOpen: 20,
      maxIdle: 4,
      idleTimeoutMs: 60_000,
    });
    const pool = mysql.createPool({ connectionLimit: 7, maxIdle: 2, enableKeepAlive: false });
    try {
      const { config } = readMysql2Config((pool as unknown as { config: unknown }).config);
      expect(config).toMatchObject({ maxOpen: 7, maxIdle: 2, idleTimeoutMs: 60_000, keepAlive: false });
    } finally {
      pool.end();
    }
  });

  it('throws InvalidOptionError for something that is not options, without echoing a URL', () => {
    expect(() => readMysql2Config(42)).toThrow(InvalidOptionError);
    expect(() => readMysql2Config('not a url with secret')).toThrow(/valid mysql:\/\/ URL/);
    expect(() => readMysql2Config('not a url with secret')).not.toThrow(/secret/);
  });
});
