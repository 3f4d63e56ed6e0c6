#!/usr/bin/env bash
# Installs libchdb.so (ClickHouse as a library) into creditsync's cache from
# the npm registry, checks its sha256, and does nothing when it is already
# there. Usage: scripts/install-libchdb.sh [DEST_DIR]
set -euo pipefail

version=26.5.3
sha256=4330da79405733f7572f27c1442f46c03a08301f00859dce0368645731b1e1dc
cache=${CREDITSYNC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/creditsync}
dest=${1:-$cache/libchdb-$version}
lib=$dest/libchdb.so

if [ -f "$lib" ] && [ -f "$lib.sha256-ok" ]; then
  exit 0
fi
if [ -f "$lib" ] && echo "$sha256  $lib" | sha256sum -c --status; then
  touch "$lib.sha256-ok"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "install-libchdb: npm is needed to download @chdb/lib-linux-x64-gnu@$version (apt-get install npm)" >&2
  exit 1
fi

echo "install-libchdb: downloading @chdb/lib-linux-x64-gnu@$version (166 MB) into $dest" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@chdb/lib-linux-x64-gnu@$version" >/dev/null)
tar -xzf "$tmp"/chdb-lib-linux-x64-gnu-"$version".tgz -C "$tmp" package/libchdb.so
if ! echo "$sha256  $tmp/package/libchdb.so" | sha256sum -c --status; then
  echo "install-libchdb: checksum mismatch for libchdb.so; refusing to install it" >&2
  exit 1
fi
mkdir -p "$dest"
mv "$tmp/package/libchdb.so" "$lib.partial"
mv "$lib.partial" "$lib"
touch "$lib.sha256-ok"
echo "install-libchdb: installed $lib" >&2
