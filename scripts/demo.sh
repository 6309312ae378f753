#!/usr/bin/env bash
# A one-machine demo: a pyftpdlib server on 127.0.0.1 and an ftpchatfs mount with a room.
#   scripts/demo.sh [MOUNTPOINT]        start (default mount point: ~/chat)
#   scripts/demo.sh stop [MOUNTPOINT]   unmount and stop the server
# Runs install-deps.sh when root (FTPCHAT_SKIP_INSTALL=1 skips it); FTPCHATFS_BIN skips the build.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEMO="${FTPCHAT_DEMO_DIR:-$HOME/.ftpchatfs-demo}"   # server data, pid, passphrase, logs
PY=/usr/bin/python3                                 # the interpreter with Debian's pyftpdlib
ROOM=general

die() { echo "demo: $*" >&2; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop_demo() {
  local mnt="$1"
  if grep -qs " $(realpath -m "$mnt") " /proc/self/mountinfo; then
    fusermount3 -u "$mnt" || fusermount3 -u -z "$mnt"
    echo "demo: unmounted $mnt"
  fi
  if [ -f "$DEMO/server.pid" ]; then
    kill "$(cat "$DEMO/server.pid")" 2>/dev/null || true
    rm -f "$DEMO/server.pid"
    echo "demo: stopped the FTP server"
  fi
}

if [ "${1:-}" = stop ]; then
  stop_demo "${2:-$HOME/chat}"
  exit 0
fi
MNT="${1:-$HOME/chat}"

if [ "$(id -u)" -eq 0 ] && [ "${FTPCHAT_SKIP_INSTALL:-0}" != 1 ]; then
  bash "$REPO/scripts/install-deps.sh"
fi
if [ -n "${FTPCHATFS_BIN:-}" ]; then   # an installed or already built binary
  BIN="$FTPCHATFS_BIN"
else
  cmake -S "$REPO" -B "$REPO/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$REPO/build" -j2 --target ftpchatfs
  BIN="$REPO/build/ftpchatfs"
fi
[ -x "$BIN" ] || die "no ftpchatfs binary at $BIN"

stop_demo "$MNT" >/dev/null 2>&1 || true
mkdir -p "$DEMO/server/chat" "$MNT"

# The server: port 2121 if free, else the first free one above it.
PORT=2121
while ! port_free "$PORT"; do PORT=$((PORT + 1)); done
PASV_LO=$((PORT + 1000))
setsid "$PY" "$REPO/tests/harness/pyftpd_server.py" --port "$PORT" --dir "$DEMO/server" \
  --user chat --password demo --pasv "$PASV_LO-$((PASV_LO + 49))" --log "$DEMO/server.log" \
  </dev/null >>"$DEMO/server.out" 2>&1 &
echo $! >"$DEMO/server.pid"
for _ in $(seq 100); do
  port_free "$PORT" || break
  sleep 0.1
done
port_free "$PORT" && die "the FTP server did not start; see $DEMO/server.out"

# The passphrase is what members of the room share; it never leaves this machine.
umask 077
[ -f "$DEMO/passphrase" ] || echo "demo passphrase: change me for a real room" >"$DEMO/passphrase"
umask 022

URL="ftp://chat:demo@127.0.0.1:$PORT/chat/"
"$BIN" -o "nick=${USER:-demo},passfile=$DEMO/passphrase,poll=500,logfile=$DEMO/ftpchatfs.log" "$URL" "$MNT" \
  || die "mount failed; see $DEMO/ftpchatfs.log"

mkdir -p "$MNT/$ROOM"
echo "welcome to the ftpchatfs demo room" >>"$MNT/$ROOM/outbox"

cat <<EOM

ftpchatfs demo is running.
  server:  $URL (data in $DEMO/server)
  mounted: $MNT (log: $DEMO/ftpchatfs.log)

Read the room:      tail -f $MNT/$ROOM/log
Say something:      echo "hello" >> $MNT/$ROOM/outbox
A new room:         mkdir $MNT/another
Stop the demo:      $REPO/scripts/demo.sh stop $MNT
EOM
