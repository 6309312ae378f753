#!/bin/sh
# The network bench in one command (run as root from anywhere; needs /dev/fuse, pyftpdlib,
# vsftpd, sshd, sshfs):
#   bench/network.sh [BUILD_DIR] [network.py options, e.g. --profiles 0,50 --servers sshd]
# Builds like bench/run.sh, then runs bench/network.py: pyftpdlib, vsftpd and sshd on
# 127.0.0.1 behind the harness's proxy modelling 0, 25 and 50 ms each way and 50 ms with
# 1 MB/s, beside raw libcurl and sshfs, and prints the table that docs/PERFORMANCE.md records
# ("On real networks"). About 15 minutes.
FTPCHAT_BENCH_SCRIPT=network.py exec "$(dirname "$0")/run.sh" "$@"
