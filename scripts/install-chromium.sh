#!/usr/bin/env bash
# Installs Debian's chromium, which the dashboard test loads pages in
# (serve/chromium_test.go), and does nothing when it is already there.
# Needs root (CI and the development machines run as root); elsewhere it
# says what to run and fails, since the test would otherwise not run.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: chromium is missing and there is no apt-get; install chromium by hand" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-chromium: chromium is missing; run: sudo apt-get install -y chromium" >&2
  exit 1
fi
echo "install-chromium: installing Debian's chromium (once)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
