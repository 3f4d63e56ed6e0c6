#!/usr/bin/env bash
# Prints the directory `make test` puts the tests' temporary files in:
# /dev/shm (tmpfs) when it is writable and has room, else nothing (the
# system's temporary directory). The tests create and drop thousands of
# small engine files; on a disk that costs a third of the suite's time,
# in the kernel. A container's default /dev/shm (64 MB) is too small.
set -euo pipefail

need_kib=$((1024 * 1024)) # 1 GiB: the suite held at most 380 MB there (2026-12-06)
dir=/dev/shm
if [ -d "$dir" ] && [ -w "$dir" ]; then
  free_kib=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
  if [ "${free_kib:-0}" -ge "$need_kib" ]; then
    echo "$dir"
  fi
fi
