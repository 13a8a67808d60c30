'use strict';
/** What the scan benchmarks share: their command-line numbers, the synthetic /proc/net/tcp, p50/min/max. */

/** The number after `name` on the command line, or `fallback`. */
function numberOption(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
}

const hex = (n, w) => n.toString(16).toUpperCase().padStart(w, '0');
/** 127.0.0.1-ish addresses in little-endian kernel order; a few remote endpoints, most sockets in TIME_WAIT. */
function syntheticTable(lines) {
  const parts = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n',
  ];
  for (let i = 0; i < lines; i++) {
    const local = `${hex(0x0100007f + ((i >> 16) << 24), 8)}:${hex(32768 + (i % 28232), 4)}`;
    const remote = `0500000A:${hex(3306 + (i % 8), 4)}`;
    const st = i % 10 === 0 ? '01' : i % 97 === 0 ? '08' : '06';
    const timer = st === '06' ? `03:${hex(100 + (i % 5900), 8)}` : '00:00000000';
    const line =
      `${String(i).padStart(4)}: ${local} ${remote} ${st} 00000000:00000000 ${timer} 00000000     0        0 ` +
      `${st === '06' ? 0 : 100000 + i} 1 0000000000000000 20 4 30 10 -1`;
    parts.push(line.padEnd(149), '\n');
  }
  return parts.join('');
}

/** p50, min and max of timing samples (ms), rounded to 0.01 for output. */
function p50MinMax(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: round(at(0.5)), min: round(sorted[0]), max: round(sorted[sorted.length - 1]) };
}
const round = (n) => Math.round(n * 100) / 100;

module.exports = { numberOption, syntheticTable, p50MinMax };
