#!/bin/sh
# The benchmark suite in one command (run as root from anywhere; needs /dev/fuse, pyftpdlib):
#   bench/run.sh [BUILD_DIR] [bench.py options, e.g. --skip rss,idle]
#   bench/run.sh BUILD_DIR --s3 [bench_s3.py options]
#   bench/run.sh BUILD_DIR --members [bench_members.py options]
# Builds ftpchatfs and bench/ftpchat_bench into BUILD_DIR (default build), then runs
# bench/bench.py against pyftpdlib servers on 127.0.0.1 and prints the table that
# docs/PERFORMANCE.md records. Takes about 3 minutes (the idle figure needs 60 s of quiet).
# With --s3: bench/bench_s3.py against a Ceph RADOS Gateway instead (about 2 minutes).
# With --members: bench/bench_members.py, member rooms beside passphrase rooms (under a minute).
# FTPCHAT_BENCH_SCRIPT names another script of bench/ to run the same way (network.sh does).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
[ $# -gt 0 ] && shift
cmake -S "$root" -B "$build" >/dev/null
cmake --build "$build" -j2 --target ftpchatfs ftpchat_cli ftpchat_bench >/dev/null
script=${FTPCHAT_BENCH_SCRIPT:-bench.py}
if [ "${1:-}" = --s3 ]; then
  script=bench_s3.py
  shift
elif [ "${1:-}" = --members ]; then
  script=bench_members.py
  shift
fi
exec /usr/bin/python3 "$root/bench/$script" --bin "$build/ftpchatfs" --tool "$build/bench/ftpchat_bench" "$@"
