#!/bin/sh
# Print how many notebooks (and test workers) to run at once: one per CPU core, as many as
# memory allows at about 3 GiB each (a notebook's kernel with TensorFlow and its model
# peaks under that), at least 1. Linux reads /proc; macOS asks sysctl; elsewhere 2.
#
#   sh scripts/default_jobs.sh        # what the Makefile's JOBS defaults to
set -u
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)
if [ -r /proc/meminfo ]; then
  kib=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
  [ -n "$kib" ] || kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
  by_memory=$((kib / (3 * 1024 * 1024)))
elif bytes=$(sysctl -n hw.memsize 2>/dev/null); then
  by_memory=$((bytes / (3 * 1024 * 1024 * 1024)))
else
  by_memory=$cores
fi
jobs=$cores
[ "$by_memory" -lt "$jobs" ] && jobs=$by_memory
[ "$jobs" -lt 1 ] && jobs=1
echo "$jobs"
