#!/usr/bin/python3
# S3 figures (issue 12): real mounts of s3:// on a Ceph RADOS Gateway on 127.0.0.1 (started by
# tests/harness/harness_rgw.py, beast with tcp_nodelay=1 unless --nagle), each beside raw
# `curl --aws-sigv4` on the same gateway in the same run. Run through bench/run.sh BUILD --s3,
# or:
#   /usr/bin/python3 bench/bench_s3.py --bin BUILD/ftpchatfs --tool BUILD/bench/ftpchat_bench
# Requests are counted by an HTTP proxy in front of the gateway. Not a test: no pass/fail.
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'harness'))
sys.path.insert(0, HERE)
import bench as b  # noqa: E402  (row, pct, gen, bench_delivery, cat_seconds)
import chatharness as h  # noqa: E402
from harness_http_proxy import HttpReplyCutter  # noqa: E402
from harness_rgw import RgwServer  # noqa: E402


class RawCurl:
    """curl --aws-sigv4 against the gateway; the keys in a netrc file, not on its command line."""

    def __init__(self, server):
        self.server = server
        fd, self.netrc = tempfile.mkstemp(prefix='ftpchat-bench-netrc-')
        with os.fdopen(fd, 'w') as f:
            f.write('machine 127.0.0.1 login %s password %s\n' % (server.access_key, server.secret_key))

    def args(self, path, query=''):
        return ['--aws-sigv4', 'aws:amz:us-east-1:s3', '--netrc-file', self.netrc, '-s', '-f',
                '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', '-o', '/dev/null',
                '%s/%s/%s%s' % (self.server.endpoint, self.server.bucket, path, query)]

    def timed(self, *argv):
        t0 = time.monotonic()
        subprocess.run(['curl'] + list(argv), check=True, timeout=120)
        return time.monotonic() - t0

    def appends(self, key, record, count):
        """(p50 seconds with a new curl process per append, mean seconds per append on one kept
        connection: one curl process, --next between requests)."""
        body = os.path.join(tempfile.gettempdir(), 'ftpchat-bench-record')
        with open(body, 'wb') as f:
            f.write(b'x' * (record - 1) + b'\n')
        fresh = [self.timed('-T', body, *self.args(key + '-fresh', '?append=&position=%d' % (i * record)))
                 for i in range(count)]
        argv = []
        for i in range(count):
            argv += (['--next'] if i else []) + ['-T', body] + self.args(key + '-kept', '?append=&position=%d' % (i * record))
        kept = self.timed(*argv) / count
        return b.pct(fresh, .5), kept

    def list_prefix(self, prefix, count):
        query = '?delimiter=%%2F&list-type=2&prefix=%s' % prefix.replace('/', '%2F')
        fresh = [self.timed(*self.args('', query)) for _ in range(count)]
        argv = []
        for i in range(count):
            argv += (['--next'] if i else []) + self.args('', query)
        return b.pct(fresh, .5), self.timed(*argv) / count

    def get_all(self, keys):
        argv = []
        for i, key in enumerate(keys):
            argv += (['--next'] if i else []) + self.args(key)
        return self.timed(*argv)


def s3_mount(server, base, nick, options=(), endpoint_port=None):
    m = h.Mount(server.url(base + '/'), nick, b.PASS, client_dir=h.ClientDir(),
                options=['endpoint=http://127.0.0.1:%d' % (endpoint_port or server.port)] + list(options))
    m.start()
    return m


def bench_send(args, server, curl):
    print('1. send latency (sync_send: close() returns once the gateway has the message)', flush=True)
    a = s3_mount(server, 'send', 'alice', ['sync_send'])
    os.mkdir(a.path('s'))
    times = []
    for i in range(args.sends + 1):
        t0 = time.monotonic()
        with open(a.outbox('s'), 'a') as f:
            f.write('latency %d\n' % i)
        times.append(time.monotonic() - t0)
        time.sleep(0.05)
    times = times[1:]  # the first send also probes for appendable objects
    keys = server.client.list_keys(server.bucket, 'send/')
    record = max(size for key, size in keys.items() if key.endswith('.w')) // (args.sends + 1)
    fresh, kept = curl.appends('send/raw', record, args.sends)
    b.row('S3 1 send latency p50 (outbox close, sync_send)', '%.1f ms' % (b.pct(times, .5) * 1e3),
          'curl append: %.1f ms new process, %.1f ms kept-alive' % (fresh * 1e3, kept * 1e3),
          '<= 2x baseline', '(%.1fx kept-alive curl; p99 %.1f ms; %d B records; %s)'
          % (b.pct(times, .5) / kept, b.pct(times, .99) * 1e3, record,
             h.read_status(a, 's')['transport mode']))
    a.close()


def bench_idle_poll(args, server, curl):
    print('3. requests per idle poll (a quiet room, tail -f running)', flush=True)
    proxy = HttpReplyCutter(server.port, matches=lambda chunk: False)
    m = s3_mount(server, 'idle', 'idler', endpoint_port=proxy.port)
    os.mkdir(m.path('i'))
    h.append_line(m.outbox('i'), 'last words')
    tail = subprocess.Popen(['tail', '-f', m.log('i')], stdout=subprocess.DEVNULL)
    try:
        time.sleep(args.quiet)  # activity over: polls back off to every 3 s (log watched)
        mark = len(proxy.requests)
        time.sleep(args.idle_window)
        window = proxy.requests[mark:]
    finally:
        tail.kill()
        tail.wait()
    period = h.current_period()
    polls = sum(1 for r in window if 'list-type=2' in r and ('%2F' + period + '%2F') in r)
    kinds = sorted({r.split(' ', 1)[0] + (' list' if 'list-type' in r else '') for r in window})
    fresh, kept = curl.list_prefix('idle/', 10)
    b.row('S3 3 requests per idle poll', '%.2f' % (len(window) / max(polls, 1)),
          '1 ListObjectsV2 (curl: %.1f ms new process, %.1f ms kept-alive)' % (fresh * 1e3, kept * 1e3),
          '1', '(%d requests, %d polls in %d s after %d s quiet: %.2f requests/s; %s)'
          % (len(window), polls, args.idle_window, args.quiet, len(window) / args.idle_window,
             ', '.join(kinds)))
    m.close()
    proxy.stop()


def bench_first_sync(args, server, curl):
    print('4. first sync of a %d-message room' % args.read_messages, flush=True)
    local = h.make_scratch('bench-s3-room')
    passfile = os.path.join(local, 'pass')
    with open(passfile, 'w') as f:
        f.write(b.PASS + '\n')
    out = subprocess.run([args.tool, 'gen', local, 'r', passfile, str(args.read_messages)],
                         capture_output=True, text=True, check=True).stdout.split()
    folder, size = out[0], int(out[1])
    keys = []
    for root, _dirs, files in os.walk(os.path.join(local, folder)):
        rel = os.path.relpath(root, local)
        server.client.put(server.bucket, 'read/%s/' % rel, b'')
        for name in files:
            with open(os.path.join(root, name), 'rb') as f:
                server.client.put(server.bucket, 'read/%s/%s' % (rel, name), f.read())
            keys.append('read/%s/%s' % (rel, name))
    raw = curl.get_all(keys)
    m = s3_mount(server, 'read', 'bob')
    cold = b.cat_seconds(m.log('r'))
    lines = len(h.read_text(m.log('r')).splitlines())
    b.row('S3 4 first sync, %d messages: cat ROOM/log' % args.read_messages, '%.2f s' % cold,
          'curl GET of its %d objects: %.2f s' % (len(keys), raw), '-',
          '(%.1f MB ciphertext; %d lines; fetch + decrypt + render)' % (size / 1e6, lines))
    m.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', default=os.environ.get('FTPCHATFS_BIN', 'build/ftpchatfs'))
    ap.add_argument('--tool', default='build/bench/ftpchat_bench')
    ap.add_argument('--sends', type=int, default=30)
    ap.add_argument('--delivery', type=int, default=200)
    ap.add_argument('--read-messages', type=int, default=100000)
    ap.add_argument('--quiet', type=int, default=40, help='seconds before the idle window')
    ap.add_argument('--idle-window', type=int, default=20)
    ap.add_argument('--skip', default='', help='comma-separated: send,delivery,idle,read')
    ap.add_argument('--nagle', action='store_true',
                    help='run the gateway without tcp_nodelay (to see what it costs)')
    args = ap.parse_args()
    os.environ['FTPCHATFS_BIN'] = os.path.abspath(args.bin)
    args.tool = os.path.abspath(args.tool)
    skip = set(args.skip.split(','))
    print('ftpchatfs S3 benchmark: %s, %d cores' % (os.uname().release, os.cpu_count()), flush=True)
    with RgwServer(tcp_nodelay=not args.nagle) as server:
        # Mounts made by bench.py's helpers find the gateway through the AWS environment.
        os.environ.update(server.credentials_env(), AWS_ENDPOINT_URL=server.endpoint)
        curl = RawCurl(server)
        try:
            for name, fn in (('send', lambda: bench_send(args, server, curl)),
                             ('delivery', lambda: b.bench_delivery(args, server)),
                             ('idle', lambda: bench_idle_poll(args, server, curl)),
                             ('read', lambda: bench_first_sync(args, server, curl))):
                if name not in skip:
                    fn()
        finally:
            os.unlink(curl.netrc)
    print('\n| Measure | ftpchatfs | Baseline (same run) | Target | Note |\n|---|---|---|---|---|')
    for r in b.ROWS:
        name = r[0] if r[0].startswith('S3 ') else 'S3 ' + r[0]  # bench.py's own rows too
        print('| %s | %s | %s | %s | %s |' % ((name,) + r[1:]))


if __name__ == '__main__':
    main()
