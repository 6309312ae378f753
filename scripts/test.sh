#!/usr/bin/env bash
# The whole test suite: installs dependencies (as root), builds into build/, runs every unit and
# integration test with ctest. Extra arguments go to ctest (e.g. -R integration). Exit = ctest's.
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
exit "$status"
