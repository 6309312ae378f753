#!/bin/sh
# The network bench in one command (run as root from anywhere; needs /dev/fuse, pyftpdlib,
# vsftpd, sshd, sshfs):
#   bench/network.sh [BUILD_DIR] [network.py options, e.g. --profiles 0,50 --servers sshd]
# Builds ftpchatfs and bench/ftpchat_bench into BUILD_DIR (default build), then runs
# bench/network.py: pyftpdlib, vsftpd and sshd on 127.0.0.1 behind the harness's proxy at
# 0, 25 and 50 ms each way and at 50 ms with 1 MB/s, beside raw libcurl and sshfs, and prints
# the table that docs/PERFORMANCE.md records ("On real networks"). About 15 minutes.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
[ $# -gt 0 ] && shift
cmake -S "$root" -B "$build" >/dev/null
cmake --build "$build" -j2 --target ftpchatfs ftpchat_bench >/dev/null
exec /usr/bin/python3 "$root/bench/network.py" --bin "$build/ftpchatfs" --tool "$build/bench/ftpchat_bench" "$@"
