#!/usr/bin/env node
'use strict';
// The `poolaudit` command. This file is committed, not built: npm links a package's bin when it installs it,
// and in a fresh clone `dist/` does not exist yet at that moment (nor does its run bit survive turbo's cache).
const path = require('node:path');

const built = path.join(__dirname, '../dist/bin.js');
try {
  require.resolve(built);
} catch {
  process.stderr.write(
    `poolaudit: the CLI is not built (${path.relative(process.cwd(), built) || built} is missing); ` +
      'run `npm run build` at the root of the repository first.\n',
  );
  process.exit(2);
}
require(built);
