#!/usr/bin/env bash
# Installs ClickHouse's official JS client (@clickhouse/client, pinned in
# tools/jsclient/package-lock.json) for the SQL endpoint's tests, and does
# nothing when it is already there.
set -euo pipefail
cd "$(dirname "$0")/../tools/jsclient"
if [ -f node_modules/@clickhouse/client/package.json ] && cmp -s package-lock.json node_modules/.creditsync-lock 2>/dev/null; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-jsclient: node and npm are needed for the SQL endpoint's client tests (apt-get install nodejs npm)" >&2
  exit 1
fi
echo "install-jsclient: installing @clickhouse/client into tools/jsclient/node_modules" >&2
npm ci --silent --no-audit --no-fund
cp package-lock.json node_modules/.creditsync-lock
