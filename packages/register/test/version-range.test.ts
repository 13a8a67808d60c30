import { satisfies } from '../src/internal/version-range';

describe('satisfies', () => {
  it.each([
    ['3.24.6', '^3.0.0', true],
    ['4.0.0', '^3.0.0', false],
    ['2.9.9', '^3.0.0', false],
    ['0.2.5', '^0.2.0', true],
    ['0.3.0', '^0.2.0', false],
    ['7.30.2', '>=6.21.0', true],
    ['6.20.0', '>=6.21.0', false],
    ['6.1.0', '>=5.0.0 <7', true],
    ['7.0.0', '>=5.0.0 <7', false],
    ['5.2.0', '^4.0.0 || ^5.0.0', true],
    ['3.9.0-beta.1', '^3.0.0', true],
    ['not-a-version', '*', false],
  ])('%s in %s: %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });
});
