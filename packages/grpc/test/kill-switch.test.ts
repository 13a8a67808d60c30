import * as grpc from '@grpc/grpc-js';
import { createAuditor } from '@poolaudit/core';
import { auditClient, isAudited } from '@poolaudit/grpc';

// No server needed: a grpc-js client dials nothing until its first call.
const quiet = { info: () => undefined, warn: () => undefined };

describe('POOLAUDIT_DISABLE=grpc', () => {
  afterEach(() => {
    delete process.env['POOLAUDIT_DISABLE'];
  });

  it('hands the client back untouched and registers nothing', () => {
    process.env['POOLAUDIT_DISABLE'] = 'grpc,mysql2';
    const auditor = createAuditor({ logger: quiet });
    const client = new grpc.Client('127.0.0.1:1', grpc.credentials.createInsecure());
    try {
      expect(auditClient(client, { name: 'pricing', auditor })).toBe(client);
      expect(isAudited(client)).toBe(false);
      expect(auditor.poolNames()).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('audits as usual when it names other libraries only', () => {
    process.env['POOLAUDIT_DISABLE'] = 'undici';
    const auditor = createAuditor({ logger: quiet });
    const client = new grpc.Client('127.0.0.1:1', grpc.credentials.createInsecure());
    try {
      auditClient(client, { name: 'pricing', auditor });
      expect(isAudited(client)).toBe(true);
      expect(auditor.poolNames()).toEqual(['pricing']);
    } finally {
      client.close();
    }
  });
});
