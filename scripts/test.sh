#!/usr/bin/env bash
# The whole test suite: installs dependencies (as root), builds into build/, runs every unit and
# integration test with ctest, then a short fuzz run (clang). Extra arguments go to ctest (e.g.
# -R integration) and skip the fuzz run. Exit = ctest's, else the fuzz run's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR="${BUILD_DIR:-build}"

if [ "${FTPCHAT_SKIP_INSTALL:-0}" != 1 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    bash scripts/install-deps.sh
  else
    echo "test.sh: not root, skipping scripts/install-deps.sh (integration tests need root)" >&2
  fi
fi

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD_DIR" -j2

# One test at a time: the integration tests mount FUSE filesystems and run servers, and the
# machine has two cores. --timeout is the default for tests without their own TIMEOUT.
set +e
ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -j1 --timeout 600 "$@"
status=$?
set -e

# The short fuzz run of the header and record parsers (docs/TESTING.md): a second build dir
# compiled with clang (libFuzzer), each target for FTPCHAT_FUZZ_SECONDS (20). Only for the
# whole suite (no ctest arguments); FTPCHAT_SKIP_FUZZ=1 skips it. A failure fails the run.
if [ $# -eq 0 ] && [ "${FTPCHAT_SKIP_FUZZ:-0}" != 1 ]; then
  FUZZ_DIR="${FUZZ_BUILD_DIR:-build-fuzz}"
  set +e
  CXX=clang++ cmake -S . -B "$FUZZ_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFTPCHAT_FUZZ=ON \
      -DFTPCHAT_FUZZ_SECONDS="${FTPCHAT_FUZZ_SECONDS:-20}" >/dev/null &&
    cmake --build "$FUZZ_DIR" -j2 --target fuzzers &&
    ctest --test-dir "$FUZZ_DIR" -L fuzz --output-on-failure --no-tests=error -j1
  fuzz_status=$?
  set -e
  if [ "$status" -eq 0 ]; then status=$fuzz_status; fi
fi
exit "$status"
