#!/bin/sh
# The benchmark suite in one command (run as root from anywhere; needs /dev/fuse, pyftpdlib):
#   bench/run.sh [BUILD_DIR] [bench.py options, e.g. --skip rss,idle]
# Builds ftpchatfs and bench/ftpchat_bench into BUILD_DIR (default build), then runs
# bench/bench.py against pyftpdlib servers on 127.0.0.1 and prints the table that
# docs/PERFORMANCE.md records. Takes about 3 minutes (the idle figure needs 60 s of quiet).
# FTPCHAT_BENCH_SCRIPT names another script of bench/ to run the same way (network.sh does).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
[ $# -gt 0 ] && shift
cmake -S "$root" -B "$build" >/dev/null
cmake --build "$build" -j2 --target ftpchatfs ftpchat_bench >/dev/null
exec /usr/bin/python3 "$root/bench/${FTPCHAT_BENCH_SCRIPT:-bench.py}" --bin "$build/ftpchatfs" --tool "$build/bench/ftpchat_bench" "$@"
