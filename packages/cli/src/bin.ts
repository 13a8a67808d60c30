// Run by bin/poolaudit.js (the committed `poolaudit` command).
import { main } from './main.js';

main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  tty: process.stdout.isTTY,
  ...(process.stdout.columns === undefined ? {} : { columns: process.stdout.columns }),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`poolaudit: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
