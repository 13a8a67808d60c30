/** The general usage, and each command's own help (`poolaudit <command> --help`). Every text ends in a newline. */
export const USAGE = `Usage: poolaudit <command> [options]

Commands:
  lint <file>        Lint pool configs in a JSON, YAML or JS file (.js, .cjs, .mjs)
  sockets            The kernel's TCP sockets per remote endpoint (or, with --local, per client of a
                     local server), with the port budget used
  doctor             Host TCP settings, what they mean, and what to change
  demo               The churn lab: pools churning connections, diagnosed, then cured
  run -- <command>   Run a Node service with the zero-code hook and show its pools live

Options:
  -h, --help         Show this help; \`poolaudit <command> --help\` shows a command's options
  -v, --version      Print the version

Exit codes: 0 fine, 1 findings over the limit (lint, doctor), 2 usage or input error.
`;

/** Each command's help, by command. */
export const COMMAND_HELP: Readonly<Record<string, string>> = {
  lint: `Usage: poolaudit lint [options] <file>

Lints the pool settings in a JSON or YAML file, or a JS module (.js, .cjs, .mjs) exporting
{ pools: [{ name, kind, options, facts? }] }.

Options:
  --format <f>         text, json or sarif (SARIF 2.1.0). Default text
  --max-warnings <n>   Exit 1 when there are more than n warnings (ESLint's convention). Default: no limit
  -h, --help           Show this help

Exit code: 1 when a finding is an error or the warnings exceed --max-warnings, 2 when the file cannot be
linted, else 0.
`,
  sockets: `Usage: poolaudit sockets [options]

The kernel's TCP sockets (Linux /proc/net/tcp{,6}) grouped by remote endpoint, with the share of the
ephemeral ports toward each destination that its TIME_WAIT sockets hold. With --local: a server's own
view, the sockets of each local listening port grouped by client address (where the TIME_WAIT of a
server that closes first, e.g. on \`Connection: close\`, lands).

Options:
  --remote <ip:port>   Only this remote endpoint (repeatable), e.g. 127.0.0.1:3306 or [::1]:6379
  --port <n>           Only this port: the remote port, or with --local the local listening port
  --state <s>          Only sockets in this state: time-wait, close-wait, established (repeatable,
                       or comma-separated). Default: all three
  --local              Per client of each local listening port, instead of per remote endpoint
  --top <n>            Rows shown, busiest TIME_WAIT first. Default 20
  --json               JSON instead of text
  --watch              Read again every --interval seconds (default 2) until interrupted, or
                       --count <n> readings
  -h, --help           Show this help
`,
  doctor: `Usage: poolaudit doctor [options]

The host's TCP settings (ip_local_port_range, tcp_tw_reuse, tcp_fin_timeout, tcp_max_tw_buckets, ...),
what each really does, and the host lint findings.

Options:
  --json       JSON instead of text
  -h, --help   Show this help

Exit code: 1 on an error finding, else 0.
`,
  run: `Usage: poolaudit run [options] -- <command> [args…]

Runs a Node service (node, npm start, anything that starts Node) with the zero-code hook
(NODE_OPTIONS=--require @poolaudit/register) and shows what its pools do: per pool the Go DBStats line,
per destination the TIME_WAIT it left (counted from its own closes) beside the kernel's count and the port
budget, findings as they fire, and when it exits a summary with the advice. On a terminal the status
redraws in place; piped, it is plain lines. Every Node process of the service reports (cluster workers too).
The hook's POOLAUDIT_* settings apply (POOLAUDIT_LOG defaults to off here).

Options:
  --json           JSON lines on stdout (finding, finding-cleared, status, summary); the service's
                   own output goes to stderr
  --interval <s>   How often the status is shown. Default 1 on a terminal, 5 when piped
  -h, --help       Show this help

Exit code: the service's (128 + the signal number when it was killed).
`,
  demo: `Usage: poolaudit demo

The churn lab, in about 30 seconds: a mysql2 pool with maxIdle below its burst concurrency, an undici
pool against a server hinting Keep-Alive: timeout=1, and a Redis client per request, each run live,
diagnosed, then run again with the advice applied. Servers: POOLAUDIT_MYSQL_URL (default
mysql://root@127.0.0.1:3306/test) and POOLAUDIT_REDIS_URL (default redis://127.0.0.1:6379); a part
whose server does not answer, or whose library is not installed, is skipped and says so.

Options:
  -h, --help   Show this help
`,
};
