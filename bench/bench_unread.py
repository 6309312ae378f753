#!/usr/bin/python3
"""What unread costs in memory (docs/PERFORMANCE.md, "Unread"): a room of N messages from
another writer, synced in full by a mount with nothing read (all of them unread), then read
with cat (none unread); the daemon's VmRSS and VmHWM at both points.

    /usr/bin/python3 bench/bench_unread.py --bin build/ftpchatfs --tool build/bench/ftpchat_bench
"""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402
import chatharness as h  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--tool', required=True)
    ap.add_argument('--messages', type=int, default=1000000)
    args = ap.parse_args()
    os.environ['FTPCHATFS_BIN'] = os.path.abspath(args.bin)
    n = args.messages
    server = h.PyFtpdServer()
    server.start()
    try:
        bench.gen(args.tool, server, 'unread', 'm', n)
        b = bench.mount(server, 'unread', 'bob')
        with open('/proc/%d/clear_refs' % b.pid, 'w') as f:
            f.write('5')  # the peak from here: not the Argon2id of opening the room
        started = time.monotonic()
        h.wait_for(lambda: int(h.read_status(b, 'm')['messages received']) >= n, 600, interval=0.5)
        synced = time.monotonic() - started
        unread = h.read_status(b, 'm')['unread']
        rss, hwm = bench.vm(b.pid, 'VmRSS'), bench.vm(b.pid, 'VmHWM')
        started = time.monotonic()
        subprocess.run(['sh', '-c', 'cat "$1" > /dev/null', '_', b.log('m')], check=True)
        cat = time.monotonic() - started
        print('%d messages synced in %.1f s, unread %s: VmRSS %.1f MB, VmHWM %.1f MB'
              % (n, synced, unread, rss / 1e6, hwm / 1e6))
        print('after cat log (%.1f s): unread %s, VmRSS %.1f MB'
              % (cat, h.read_status(b, 'm')['unread'], bench.vm(b.pid, 'VmRSS') / 1e6))
        b.close()
    finally:
        server.close()


if __name__ == '__main__':
    main()
