#!/usr/bin/env bash
# Installs Debian's python3-pandas, which `make bench` runs beside
# creditsync on the same files (tools/bench/pandas_grade.py), and does
# nothing when it is already there. Needs root (the development machines
# run as root); elsewhere it says what to run and fails, and the bench
# then reports pandas as not measured rather than failing.
set -euo pipefail

# Debian's python, not whichever python3 comes first on PATH (pyenv, a
# virtualenv): that is the one python3-pandas installs into, and the one
# the bench runs.
if /usr/bin/python3 -c 'import pandas' >/dev/null 2>&1; then
  exit 0
fi
exec "$(dirname "$0")/apt-install.sh" install-pandas python3-pandas
