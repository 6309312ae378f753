#!/usr/bin/python3
# Delay from `echo >> A/ROOM/outbox` returning to the line showing in `tail -f B/ROOM/log`,
# with two real mounts on a local pyftpdlib server. Run from the repo root after a build:
#   /usr/bin/python3 bench/tail_latency.py [--count N] [--poll MS] [--bin build/ftpchatfs]
# Prints p50/p90/max. The figure includes GNU tail's own 1 s fstat poll.
import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'harness'))
import chatharness as h  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--count', type=int, default=20)
    ap.add_argument('--poll', type=int, default=None, help='poll=MS for both mounts (default: none given)')
    ap.add_argument('--bin', default=os.environ.get('FTPCHATFS_BIN', 'build/ftpchatfs'))
    args = ap.parse_args()
    os.environ['FTPCHATFS_BIN'] = os.path.abspath(args.bin)
    opts = ['poll=%d' % args.poll] if args.poll else []
    with h.PyFtpdServer() as server:
        url = server.url('chat/')
        a = h.Mount(url, 'alice', 'pw', options=opts)
        b = h.Mount(url, 'bob', 'pw', options=opts)
        a.start()
        os.mkdir(a.path('r'))
        b.start()
        delays = []
        with h.TailFollower(b.log('r')) as tail:
            for i in range(args.count):
                time.sleep(random.uniform(0.2, 1.2))
                h.append_line(a.outbox('r'), 'ping %d' % i)
                sent = time.monotonic()
                tail.wait_for_line('ping %d' % i, timeout=15)
                delays.append(time.monotonic() - sent)
        a.close()
        b.close()
    delays.sort()
    pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
    print('tail -f delivery over %d messages (poll=%s): p50 %.0f ms, p90 %.0f ms, max %.0f ms'
          % (len(delays), args.poll or 'default', pick(0.5) * 1000, pick(0.9) * 1000, delays[-1] * 1000))


if __name__ == '__main__':
    main()
