import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFileError, loadConfigFile } from '../src/config-file.js';
import type { KindSpec } from '../src/kinds.js';

const KINDS: Record<string, KindSpec> = {
  testdb: { options: { limit: ['number'], host: ['string'], ssl: ['object', 'string'] }, rules: [] },
};

const dir = mkdtempSync(join(tmpdir(), 'poolaudit-cli-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfigFile', () => {
  it('reads JSON, YAML and JS modules into lint subjects', () => {
    const json = file(
      'a.json',
      JSON.stringify({
        pools: [{ name: 'db', kind: 'testdb', options: { limit: 5 }, facts: { instances: 3 } }],
      }),
    );
    const yaml = file(
      'a.yaml',
      'pools:\n  - name: db\n    kind: testdb\n    options:\n      limit: 5\n    facts:\n      instances: 3\n',
    );
    const js = file(
      'a.js',
      "module.exports = { pools: [{ name: 'db', kind: 'testdb', options: { limit: 5 }, facts: { instances: 3 } }] };",
    );
    const expected = [{ name: 'db', kind: 'testdb', options: { limit: 5 }, facts: { instances: 3 } }];
    expect(loadConfigFile(json, KINDS)).toEqual(expected);
    expect(loadConfigFile(yaml, KINDS)).toEqual(expected);
    expect(loadConfigFile(js, KINDS)).toEqual(expected);
  });

  it.each([
    ['syntax.json', '{ "pools": [ }', 'syntax.json: not valid JSON'],
    [
      'syntax.yaml',
      'pools:\n  - name: [unclosed\n',
      'syntax.yaml at line 3, column 1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    [
      'indent.yaml',
      'pools:\n  - name: a\n    kind: testdb\n    options:\n      limit: 10\n     host: [1\n',
      'indent.yaml at line 6, column 1: not valid YAML: All mapping items must start at the same column',
    ],
    ['top.json', '{ "pool": [] }', 'top.json at pool: unknown key'],
    ['list.json', '{ "pools": {} }', 'list.json at pools: expected a list of pools, got object'],
    [
      'kind.json',
      '{ "pools": [{ "name": "a", "kind": "oracle", "options": {} }] }',
      'kind.json at pools[0].kind: unknown kind "oracle" (known: testdb)',
    ],
    [
      'near-kind.json',
      '{ "pools": [{ "name": "a", "kind": "testbd", "options": {} }] }',
      'near-kind.json at pools[0].kind: unknown kind "testbd"; did you mean testdb? (known: testdb)',
    ],
    [
      'key.json',
      '{ "pools": [{ "name": "a", "kind": "testdb", "options": { "limt": 5 } }] }',
      'key.json at pools[0].options.limt: unknown testdb option limt; did you mean limit? (known: limit, host, ssl)',
    ],
    [
      'type.json',
      '{ "pools": [{ "name": "a", "kind": "testdb", "options": { "limit": "5" } }] }',
      'type.json at pools[0].options.limit: expected number, got string',
    ],
    [
      'name.json',
      '{ "pools": [{ "kind": "testdb", "options": {} }] }',
      'name.json at pools[0].name: expected a non-empty string, got undefined',
    ],
    [
      'facts.json',
      '{ "pools": [{ "name": "a", "kind": "testdb", "options": {}, "facts": { "x": [] } }] }',
      'facts.json at pools[0].facts.x: expected a number, string or boolean, got array',
    ],
    [
      'entry.json',
      '{ "pools": [{ "name": "a", "kind": "testdb", "options": {}, "extra": 1 }] }',
      'entry.json at pools[0].extra: unknown key',
    ],
    ['a.toml', 'x = 1', 'a.toml: unsupported file type ".toml"'],
  ])('%s gets a clear error naming the place', (name, text, message) => {
    const path = file(name, text);
    expect(() => loadConfigFile(path, KINDS)).toThrow(ConfigFileError);
    expect(() => loadConfigFile(path, KINDS)).toThrow(message);
    // One line that ends on its point, never on a dangling "column 1:" or a source excerpt.
    expect(() => loadConfigFile(path, KINDS)).toThrow(/^[^\n]*[^:\s]$/);
  });

  it('names a missing file and a module that throws', () => {
    expect(() => loadConfigFile(join(dir, 'missing.json'), KINDS)).toThrow(
      /missing\.json: cannot read the file: ENOENT/,
    );
    const broken = file('broken.js', "throw new Error('module bug');");
    expect(() => loadConfigFile(broken, KINDS)).toThrow('broken.js: cannot load the module: module bug');
  });
});
