#!/usr/bin/env bash
# Installs Debian's chromium, which the dashboard test loads pages in
# (serve/chromium_test.go), and does nothing when it is already there.
# Where it cannot install (no root, no apt-get) it says what to run and
# fails, since the test would otherwise not run.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
exec "$(dirname "$0")/apt-install.sh" install-chromium chromium
