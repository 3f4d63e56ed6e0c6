#!/usr/bin/env bash
# apt-install.sh WHO PACKAGE: installs Debian's PACKAGE for the script WHO
# (install-chromium, install-pandas), which has found it missing. Needs
# root (CI and the development machines run as root); elsewhere it says
# what to run and fails.
set -euo pipefail

who=$1 package=$2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$who: $package is missing and there is no apt-get; install it by hand" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "$who: $package is missing; run: sudo apt-get install -y $package" >&2
  exit 1
fi
echo "$who: installing Debian's $package (once)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "$package" >/dev/null
