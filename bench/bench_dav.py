#!/usr/bin/python3
# WebDAV figures for docs/PERFORMANCE.md: send latency and idle poll cost of real mounts on
# Apache mod_dav_fs and lighttpd mod_webdav over TLS (tests/harness/harness_dav.py), each beside
# raw curl on the same server in the same run. Not a test: no pass/fail.
#   /usr/bin/python3 bench/bench_dav.py --bin BUILD/ftpchatfs [--sends 30] [--skip idle]
# Requests and bytes come from the servers' access logs.
import argparse
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'harness'))
import chatharness as h  # noqa: E402
from bench_common import pct, send_and_wait_on_server, writer_bytes  # noqa: E402

PASS = 'bench passphrase'
ROWS = []
KINDS = (('Apache', h.ApacheDavServer, {}), ('lighttpd', h.LighttpdDavServer, {}),
         ('lighttpd, no partial PUT', h.LighttpdDavServer, {'partial_put': False}))


def row(name, value, baseline, note=''):
    ROWS.append((name, value, baseline, note))
    print('  %-58s %-22s %-40s %s' % (name, value, baseline, note), flush=True)


def mount(server, base, nick):
    m = h.Mount(server.url(base + '/'), nick, PASS, client_dir=h.ClientDir(),
                options=['cacert=%s' % server.cert_path])
    m.start()
    return m


def raw_curl_times(server, path, record, count, guarded):
    """One curl process, one kept-alive connection: `count` appends of `record` bytes by ranged
    PUT to `path`, each alone or (guarded) between two HEADs as ftpchatfs does. Seconds per
    append, from curl's own per-transfer times."""
    with open(os.path.join(server.dir, 'record.bin'), 'wb') as f:
        f.write(b'x' * (record - 1) + b'\n')
    url = server.http_url(path)
    transfers = []
    for i in range(count):
        put = ['-T', os.path.join(server.dir, 'record.bin'), '-H',
               'Content-Range: bytes %d-%d/*' % (i * record, (i + 1) * record - 1), url]
        transfers += [['-I', url], put, ['-I', url]] if guarded else [put]
    args = ['curl']
    for i, transfer in enumerate(transfers):
        if i:
            args.append('--next')  # the next transfer, on the same kept-alive connection
        args += ['-s', '--http1.1'] + server.curl_args() + ['-o', '/dev/null', '-w', '%{time_total}\\n']
        args += transfer
    with open(server.local_path(path), 'wb'):
        pass  # the ranged PUTs need the file to exist (lighttpd answers 404 otherwise)
    os.chown(server.local_path(path), *server.file_owner())
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout.split()
    times = [float(t) for t in out]
    per = 3 if guarded else 1
    return [sum(times[i:i + per]) for i in range(0, len(times), per)]


def raw_rewrite_times(server, size, count):
    """One curl process: `count` times PUT `size` bytes to a temporary name and MOVE it over the
    file, as rewrite mode does. Seconds per rewrite."""
    with open(os.path.join(server.dir, 'whole.bin'), 'wb') as f:
        f.write(b'x' * (size - 1) + b'\n')
    temp, target = server.http_url('.raw.tmp'), server.http_url('raw-rewrite.bin')
    args = ['curl']
    for i in range(count):
        for transfer in (['-T', os.path.join(server.dir, 'whole.bin'), temp],
                         ['-X', 'MOVE', '-H', 'Destination: ' + target, '-H', 'Overwrite: T', temp]):
            if len(args) > 1:
                args.append('--next')
            args += ['-s', '--http1.1'] + server.curl_args() + ['-o', '/dev/null', '-w', '%{time_total}\\n']
            args += transfer
    times = [float(t) for t in subprocess.run(args, capture_output=True, text=True, check=True).stdout.split()]
    return [times[i] + times[i + 1] for i in range(0, len(times), 2)]


def bench_send(args, label, server):
    a = mount(server, 'send', 'alice')
    os.mkdir(a.path('s'))
    folder = server.local_path('send')
    send_and_wait_on_server(a, 's', folder, 'warm-up')
    server.mark('send-begin')
    times = []
    for i in range(args.sends):
        times.append(send_and_wait_on_server(a, 's', folder, 'latency %d' % i))
        time.sleep(0.05)
    server.mark('send-end')
    mode = h.read_status(a, 's')['transport mode']
    a.close()
    own = [m for m, p, _s in server.requests_between('send-begin', 'send-end')
           if p.endswith('.w') or '.tmp-' in p]
    ours = [m for m in own if m not in ('GET', 'PROPFIND')]
    size = writer_bytes(folder)
    record = size // (args.sends + 1)
    if mode.startswith('rewrite'):
        whole = raw_rewrite_times(server, size, args.sends)
        baseline = 'raw curl PUT %d B + MOVE: %.1f ms' % (size, pct(whole, .5) * 1e3)
    else:
        plain = raw_curl_times(server, 'raw-plain.bin', record, args.sends, guarded=False)
        guarded = raw_curl_times(server, 'raw-guarded.bin', record, args.sends, guarded=True)
        baseline = 'raw curl ranged PUT %.1f ms, HEAD+PUT+HEAD %.1f ms' % (
            pct(plain, .5) * 1e3, pct(guarded, .5) * 1e3)
    p50 = pct(times, .5)
    row('send latency p50, %s (outbox close -> on server)' % label, '%.1f ms' % (p50 * 1e3), baseline,
        '(p99 %.1f ms; %.1f requests/send: %s; mode: %s)'
        % (pct(times, .99) * 1e3, len(ours) / args.sends, ' '.join(sorted(set(ours))), mode))


def start_idle(server):
    m = mount(server, 'idle', 'idler')
    os.mkdir(m.path('i'))
    with open(m.outbox('i'), 'a') as f:
        f.write('last words\n')
    h.read_text(m.log('i'))
    return m, time.monotonic()


def finish_idle(args, label, server, m, started):
    time.sleep(max(0.0, started + 60 - time.monotonic()))
    server.mark('idle-begin')
    time.sleep(args.idle_window)
    server.mark('idle-end')
    requests = [r for r in server.requests_between('idle-begin', 'idle-end')]
    sent = server.bytes_sent_between('idle-begin', 'idle-end')
    polls = max(1, sum(1 for method, _p, _s in requests if method == 'PROPFIND'))
    # Raw curl: the PROPFIND of one poll, on a connection warmed by a first one (as a mount's
    # is), for its reply size and time.
    body = ('<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:prop>'
            '<D:resourcetype/><D:getcontentlength/></D:prop></D:propfind>\n')
    room_dir = h.room_dirs(server.local_path('idle'))[0]
    target = server.http_url('idle/%s/%s/' % (os.path.basename(room_dir), h.period_folders(room_dir)[-1]))
    one = ['-s', '--http1.1', '-X', 'PROPFIND', '-H', 'Depth: 1', '--data-binary', body, '-o', '/dev/null',
           '-w', '%{size_download} %{time_total}\\n'] + server.curl_args() + [target]
    out = subprocess.run(['curl'] + one + ['--next'] + one, capture_output=True, text=True,
                         check=True).stdout.split()[2:]
    row('idle cost after 60 s quiet, %s' % label, '%.2f requests/s' % (len(requests) / args.idle_window),
        'raw curl PROPFIND of the month folder, warm: %s B, %.1f ms' % (out[0], float(out[1]) * 1e3),
        '(%s over %d s; %.0f B of replies per poll)'
        % (' '.join('%s %d' % (meth, n) for meth, n in sorted(_count(requests).items())),
           args.idle_window, sum(sent.values()) / polls))
    m.close()


def _count(requests):
    out = {}
    for method, _p, _s in requests:
        out[method] = out.get(method, 0) + 1
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', default=os.environ.get('FTPCHATFS_BIN', 'build/ftpchatfs'))
    ap.add_argument('--sends', type=int, default=30)
    ap.add_argument('--idle-window', type=int, default=20)
    ap.add_argument('--skip', default='', help='comma-separated: send,idle')
    args = ap.parse_args()
    os.environ['FTPCHATFS_BIN'] = os.path.abspath(args.bin)
    skip = set(args.skip.split(','))
    print('ftpchatfs WebDAV benchmark: %s, %d cores' % (os.uname().release, os.cpu_count()), flush=True)
    servers = []
    for label, cls, kw in KINDS:
        server = cls(tls=True, **kw)
        server.start()
        servers.append((label, server))
    idle = [(label, server) + start_idle(server) for label, server in servers[:2]
            if 'idle' not in skip]
    if 'send' not in skip:
        for label, server in servers:
            bench_send(args, label, server)
    threads = [threading.Thread(target=finish_idle, args=(args,) + item) for item in idle]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for _label, server in servers:
        server.close()
    print('\n| Measure | ftpchatfs | Baseline (same run) | Note |\n|---|---|---|---|')
    for r in ROWS:
        print('| %s | %s | %s | %s |' % r)


if __name__ == '__main__':
    main()
