import { callSiteOf } from '../src/hook-table';

describe('callSiteOf', () => {
  it("takes the first application frame: not node_modules, not Node's own, not this package's code", () => {
    const stack = [
      'Error',
      `    at construct (${__dirname.replace(/test$/, 'src')}/internal/wrap-exports.ts:150:7)`,
      '    at new Client (/srv/app/node_modules/knex/lib/client.js:107:10)',
      '    at Module._compile (node:internal/modules/cjs/loader:1521:14)',
      `    at Object.<anonymous> (${process.cwd()}/src/db.js:12:5)`,
    ].join('\n');
    expect(callSiteOf(stack)).toBe('src/db.js:12');
    expect(
      callSiteOf('Error\n    at Module._compile (node:internal/modules/cjs/loader:1521:14)'),
    ).toBeUndefined();
    expect(callSiteOf(`Error\n    at ${process.cwd()}/app.mjs:3:1`)).toBe('app.mjs:3');
  });
});
