#!/usr/bin/python3
# What each SFTP request costs through libcurl (the library ftpchatfs uses) on a modelled link,
# and whether any libcurl option changes it (issue 14): the curl command line (same libcurl
# and libssh2) on one reused SSH connection to OpenSSH's sshd through the harness proxy, at 0
# and 50 ms each way. Prints the median time per request and the round trips it explains
# ((t at 100 ms RTT - t at 0 ms) / 100 ms), and the bytes both ways per request.
#   /usr/bin/python3 bench/sftp_requests.py [--rounds 7]
# Not a test.
import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'harness'))
import chatharness as h  # noqa: E402

SIZE = 20000  # a writer file's worth of records
HUNDRED = '/tmp/ftpchat-bench-sftp-100-bytes'


def requests(url):
    """(name, what libcurl sends (from libcurl 7.88's lib/vssh/libssh2.c), curl arguments)."""
    f = url + 'r/2026-12/w'
    return [
        ('list a folder', 'OPENDIR, READDIR, READDIR, CLOSE', [url + 'r/2026-12/']),
        ('read a file from 0', 'OPEN, STAT, READ, CLOSE', [f]),
        ('read from an offset, nothing new', 'OPEN, STAT, CLOSE', ['-C', str(SIZE), f]),
        ('read from an offset, 100 new bytes', 'OPEN, STAT, READ, CLOSE', ['-C', str(SIZE - 100), f]),
        ('size and mtime (-I: NOBODY + FILETIME)', 'STAT, OPEN, STAT, CLOSE', ['-I', f]),
        ('append 100 bytes', 'OPEN (APPEND), WRITE, CLOSE', ['--append', '-T', HUNDRED, url + 'r/2026-12/mine']),
        ('list a folder, SSH compression on', 'as listing', ['--compressed-ssh', url + 'r/2026-12/']),
    ]


def measure(server, link, rounds):
    """{name: (median seconds, bytes both ways per request)} for every request, each run
    `rounds` times after a warm-up on one connection (curl --next keeps it)."""
    proxy = h.TcpProxy(server.port, link=link, max_lifetime=3600)
    try:
        url = server.url('', create=False, port=proxy.port)
        known = os.path.join(server.dir, 'known_hosts_%d' % proxy.port)
        with open(known, 'w') as f:
            f.write(server.known_hosts_line(proxy.port) + '\n')
        common = ['-s', '-o', '/dev/null', '--key', server.identity, '--pubkey', server.identity + '.pub',
                  '--hostpubsha256', server.host_key_sha256, '-w', '%{time_total}\n']
        out = {}
        for name, _, args in requests(url):
            argv = ['curl'] + common + args  # the first transfer logs in: not counted
            for _ in range(rounds):
                argv += ['--next'] + common + args
            mark = proxy.traffic.mark()
            done = subprocess.run(argv, capture_output=True, timeout=300)
            if done.returncode != 0:
                raise SystemExit('curl %s failed (%d): %s' % (name, done.returncode, done.stderr))
            times = [float(t) for t in done.stdout.split()][1:]
            summary = proxy.traffic.summary(mark)
            out[name] = (statistics.median(times), (summary['bytes_down'] + summary['bytes_up']) / (rounds + 1))
        return out
    finally:
        proxy.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rounds', type=int, default=7)
    args = ap.parse_args()
    with open(HUNDRED, 'wb') as f:
        f.write(b'x' * 99 + b'\n')
    server = h.SshdServer()
    server.start()
    try:
        folder = os.path.join(server.data_dir, 'r', '2026-12')
        os.makedirs(folder)
        with open(os.path.join(folder, 'w'), 'wb') as f:
            f.write(b'x' * SIZE)
        fast = measure(server, h.Link(), args.rounds)
        slow = measure(server, h.Link(delay=0.05), args.rounds)
    finally:
        server.close()
    curl = subprocess.run(['curl', '--version'], capture_output=True, text=True).stdout.splitlines()[0]
    print('%s; sshd (OpenSSH %s); median of %d requests on one connection\n'
          % (curl, subprocess.run(['ssh', '-V'], capture_output=True, text=True).stderr.strip(), args.rounds))
    print('| Request | SFTP packets (libcurl 7.88) | 0 ms RTT | 100 ms RTT | round trips | bytes both ways |')
    print('|---|---|---|---|---|---|')
    for name, packets, _ in requests(''):
        t0, _ = fast[name]
        t1, b1 = slow[name]
        print('| %s | %s | %.0f ms | %.0f ms | %.1f | %s B |' % (name, packets, t0 * 1e3, t1 * 1e3, (t1 - t0) / 0.1,
                                                               format(round(b1), ',')))


if __name__ == '__main__':
    main()
