#!/usr/bin/env bash
# Installs every build and test dependency of ftpchatfs on Debian 12 (run as root; idempotent).
# pure-ftpd and proftpd conflict with vsftpd as packages, so they are unpacked, not installed.
set -euo pipefail

SERVERS_ROOT="${FTPCHAT_TEST_SERVERS:-/var/tmp/ftpchatfs-servers/root}"

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: must run as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
  cmake g++ make pkg-config git
  libfuse3-dev fuse3 libcurl4-openssl-dev libcli11-dev libgtest-dev libgmock-dev
  libsodium-dev libzstd-dev libncurses-dev libedit-dev libexpat1-dev
  python3 python3-pyftpdlib python3-nacl
  vsftpd openssh-server openssh-client openssl curl ca-certificates
  # WebDAV servers (run by the harness with their own configs; Debian's services stay off)
  apache2 lighttpd lighttpd-mod-webdav lighttpd-mod-openssl
  clang libclang-rt-dev man-db groff-base
  procps iproute2 passwd coreutils
  # editors and tools the Unix-fit tests drive (vim, nano via tmux, ed, mount.fuse3)
  vim nano ed tmux mount
  # the peer bench/network.sh measures against
  sshfs
  # clocks off by hours (issue 10: LD_PRELOAD of libfaketime in a daemon under test)
  faketime
  help2man
  # rooms in a synced folder (test_syncthing.py, bench/syncthing_latency.py)
  syncthing
  # the S3 reference server: Ceph's RADOS Gateway on a one-node memstore cluster (tests/harness)
  radosgw ceph-mon ceph-osd ceph-common
  # runtime libraries of the unpacked proftpd-core (pure-ftpd's are covered above)
  libhiredis0.14 libmemcached11 libmemcachedutil2 libpcre2-posix3 libidn2-0 libcap2 libacl1
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# Services must not start on install: tests run their own servers on free ports. A policy-rc.d
# that refuses every start is put in place only for this install, unless one already exists.
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  made_policy=1
fi
cleanup_policy() { if [ "$made_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup_policy EXIT

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# pure-ftpd and proftpd, unpacked into a private root (never run as Debian services).
if [ ! -x "$SERVERS_ROOT/usr/sbin/pure-ftpd" ] || [ ! -x "$SERVERS_ROOT/usr/sbin/proftpd" ] \
   || [ ! -x "$SERVERS_ROOT/usr/bin/pure-pw" ]; then
  echo "install-deps: unpacking pure-ftpd and proftpd into $SERVERS_ROOT"
  mkdir -p "$SERVERS_ROOT"
  tmp="$(mktemp -d /tmp/ftpchat-debs.XXXXXX)"
  chmod 755 "$tmp"  # apt's download sandbox user (_apt) must be able to write here
  if ! (cd "$tmp" && apt-get download pure-ftpd pure-ftpd-common proftpd-core); then
    apt-get update -q
    (cd "$tmp" && apt-get download pure-ftpd pure-ftpd-common proftpd-core)
  fi
  for deb in "$tmp"/*.deb; do
    dpkg -x "$deb" "$SERVERS_ROOT"
  done
  rm -rf "$tmp"
fi
# Runtime libraries those binaries link against that are not part of the list above.
libs_missing=()
for bin in "$SERVERS_ROOT/usr/sbin/pure-ftpd" "$SERVERS_ROOT/usr/sbin/proftpd"; do
  while read -r lib; do
    [ -n "$lib" ] && libs_missing+=("$lib")
  done < <(ldd "$bin" 2>/dev/null | awk '/not found/ {print $1}')
done
if [ "${#libs_missing[@]}" -gt 0 ]; then
  echo "install-deps: missing libraries for unpacked servers: ${libs_missing[*]}" >&2
  exit 1
fi

# Folders the servers expect to exist.
mkdir -p /var/run/vsftpd/empty /run/sshd
chmod 755 /run/sshd

# Tests never use ports 21, 22, 80 or 443, but a Debian-started service would still be confusing.
for svc in vsftpd ssh apache2 lighttpd; do
  if command -v service >/dev/null 2>&1 && service "$svc" status >/dev/null 2>&1; then
    echo "install-deps: stopping Debian's $svc service"
    service "$svc" stop || true
  fi
done
if command -v ss >/dev/null 2>&1; then
  if ss -ltnH '( sport = :21 or sport = :22 )' | grep -q .; then
    echo "install-deps: warning: something listens on port 21 or 22 (tests do not use it)" >&2
  fi
fi
echo "install-deps: ok"
