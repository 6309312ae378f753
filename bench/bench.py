#!/usr/bin/python3
# The ftpchatfs benchmark suite (issue 5): real mounts on pyftpdlib servers on 127.0.0.1, each
# figure beside a baseline measured in the same run. Run through bench/run.sh, or:
#   /usr/bin/python3 bench/bench.py --bin BUILD/ftpchatfs --tool BUILD/bench/ftpchat_bench
# Requests are FTP commands counted in pyftpdlib's command log; bytes are its transfer log.
# Prints a Markdown table (docs/PERFORMANCE.md keeps the latest one). Not a test: no pass/fail.
import argparse
import os
import random
import re
import resource
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'harness'))
import chatharness as h  # noqa: E402
from bench_common import PASS, cat_seconds, gen, pct, send_and_wait_on_server, writer_file  # noqa: E402

ROWS = []


def row(name, value, baseline, target, note=''):
    ROWS.append((name, value, baseline, target, note))
    print('  %-44s %-28s %-26s %s %s' % (name, value, baseline, target, note), flush=True)


def transfer_bytes(server, since, verb):
    """Bytes moved by `verb` (RETR/APPE) transfers logged after command-log line `since`."""
    total = 0
    with open(server.command_log, errors='replace') as f:
        lines = f.read().splitlines()[since:]
    for line in lines:
        m = re.search(r'\] %s \S+\.w completed=\d bytes=(\d+)' % verb, line)
        if m:
            total += int(m.group(1))
    return total


def log_lines(server):
    with open(server.command_log, errors='replace') as f:
        return len(f.read().splitlines())


def mount(server, base, nick, client=None, options=()):
    m = h.Mount(server.url(base + '/'), nick, PASS, client_dir=client or h.ClientDir(),
                options=list(options))
    m.start()
    return m


def bench_send(args, server):
    print('1. send latency, 4. send cost vs room size', flush=True)
    base = 'send'
    a = mount(server, base, 'alice')
    os.mkdir(a.path('s'))
    room_dir = os.path.join(server.data_dir, base)
    send_and_wait_on_server(a, 's', room_dir, 'warm-up')
    empty_times, mark = [], log_lines(server)
    n = 30
    for i in range(n):
        empty_times.append(send_and_wait_on_server(a, 's', room_dir, 'latency %d' % i))
        time.sleep(0.05)
    empty_bytes = (transfer_bytes(server, mark, 'RETR') + transfer_bytes(server, mark, 'APPE')) / n
    empty_cmds = (log_lines(server) - mark) / n
    record = os.path.getsize(writer_file(room_dir)) // (n + 1)
    base_out = subprocess.run([args.tool, 'appe', server.url(base + '/raw-baseline.bin'),
                               str(record), str(n)], capture_output=True, text=True, check=True).stdout
    raw_p50 = int(base_out.split()[1]) / 1e6
    row('1 send latency p50 (outbox close -> on server)', '%.1f ms' % (pct(empty_times, .5) * 1e3),
        'raw libcurl APPE %.1f ms' % (raw_p50 * 1e3), '<= 2x baseline',
        '(%.1fx; p99 %.1f ms)' % (pct(empty_times, .5) / raw_p50, pct(empty_times, .99) * 1e3))

    a.close()
    # 4. the same sends into a room already holding 10 MB.
    big_dir, big_bytes = gen(args.tool, server, 'send10', 'big', args.big_messages)
    b = mount(server, 'send10', 'alice')
    h.read_text(b.log('big'))  # first sync: the history arrives once
    send_and_wait_on_server(b, 'big', big_dir, 'warm-up')
    big_times, mark = [], log_lines(server)
    for i in range(n):
        big_times.append(send_and_wait_on_server(b, 'big', big_dir, 'latency %d' % i))
        time.sleep(0.05)
    big_bytes_per = (transfer_bytes(server, mark, 'RETR') + transfer_bytes(server, mark, 'APPE')) / n
    big_cmds = (log_lines(server) - mark) / n
    row('4 send cost, 10 MB room / empty room: time', '%.2f' % (pct(big_times, .5) / pct(empty_times, .5)),
        'empty %.1f ms, 10 MB %.1f ms' % (pct(empty_times, .5) * 1e3, pct(big_times, .5) * 1e3), '<= 1.1',
        '(room: %.1f MB)' % (big_bytes / 1e6))
    row('4 send cost, 10 MB room / empty room: bytes', '%.2f' % (big_bytes_per / max(empty_bytes, 1)),
        'empty %.0f B, 10 MB %.0f B/send' % (empty_bytes, big_bytes_per), '<= 1.1',
        '(log lines/send %.1f vs %.1f)' % (big_cmds, empty_cmds))
    b.close()


class ServerRecords:
    """Counts the records in a room's writer files on the server as they grow (reads only what
    is new; batches are framed as "\n" + one line per record)."""

    def __init__(self, folder):
        self.folder, self.offsets, self.count = folder, {}, 0

    def poll(self):
        for root, _dirs, files in os.walk(self.folder):
            for name in files:
                if not name.endswith('.w'):
                    continue
                path = os.path.join(root, name)
                with open(path, 'rb') as f:
                    f.seek(self.offsets.get(path, 0))
                    data = f.read()
                end = data.rfind(b'\n')
                if end >= 0:
                    self.offsets[path] = self.offsets.get(path, 0) + end + 1
                    self.count += sum(1 for line in data[:end].split(b'\n') if line)
        return self.count

    def wait(self, target, timeout):
        """Returns time.monotonic() when at least `target` records are on the server."""
        deadline = time.monotonic() + timeout
        while self.poll() < target:
            if time.monotonic() > deadline:
                raise h.WaitTimeout('%d of %d records on the server after %ss'
                                    % (self.count, target, timeout))
            time.sleep(0.002)
        return time.monotonic()


def write_per_line(path, prefix, count):
    """Pattern (a): one os.write() per line on one open descriptor, then close."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    tag = prefix.encode()
    for i in range(count):
        os.write(fd, b'%s %d\n' % (tag, i))
    os.close(fd)


def write_stdio(path, prefix, count):
    """Pattern (b): `seq | sed >> path`: sed's stdio buffer makes 4 KiB writes of many lines."""
    subprocess.run(['sh', '-c', 'seq 0 "$(($1 - 1))" | sed "s/^/$2 /" >> "$3"', 'sh', str(count),
                    prefix, path], check=True)


def bench_throughput(args, server):
    print('3. throughput, one writer streaming lines into outbox', flush=True)
    a = mount(server, 'tput', 'alice')
    os.mkdir(a.path('t'))
    records = ServerRecords(os.path.join(server.data_dir, 'tput'))
    h.append_line(a.outbox('t'), 'warm-up')
    records.wait(1, 10)
    expected = {}
    for pattern, writer, count in (('a', write_per_line, args.throughput),
                                   ('b', write_stdio, args.throughput_stdio)):
        prefix = 'tput-' + pattern
        local = os.path.join(a.client.root, 'baseline-%s.txt' % pattern)  # the spool's disk
        t0 = time.monotonic()
        writer(local, prefix, count)
        local_secs = time.monotonic() - t0
        before, mark = records.poll(), len(server.commands())
        t0 = time.monotonic()
        writer(a.outbox('t'), prefix, count)
        accepted = time.monotonic() - t0
        on_server = records.wait(before + count, 300) - t0
        appends = sum(1 for c in server.commands()[mark:] if c.startswith('APPE'))
        expected[prefix] = count
        what = 'one write() per line' if pattern == 'a' else 'stdio-buffered (seq, sed)'
        row('3%s throughput, %s: accepted by write()' % (pattern, what),
            '{:,.0f} msgs/s'.format(count / accepted), 'local file: {:,.0f} lines/s'.format(count / local_secs),
            '-', '(%d lines in %.2f s)' % (count, accepted))
        row('3%s throughput, %s: on the server' % (pattern, what),
            '{:,.0f} msgs/s'.format(count / on_server), 'local file: {:,.0f} lines/s'.format(count / local_secs),
            '>= 2000', '(last on the server after %.2f s; %d APPEs)' % (on_server, appends))
    # Every message exactly once and in order, as a second client's log shows them.
    b = mount(server, 'tput', 'bob')
    seen = {prefix: [] for prefix in expected}
    for line in h.read_text(b.log('t')).splitlines():
        m = re.search(r'<alice> (tput-[ab]) (\d+)$', line)
        if m:
            seen[m.group(1)].append(int(m.group(2)))
    for prefix, count in expected.items():
        if seen[prefix] != list(range(count)):
            raise AssertionError('%s: %d lines in bob\'s log, not 0..%d once each in order'
                                 % (prefix, len(seen[prefix]), count - 1))
    print('  verified: bob\'s log holds every line exactly once, in order', flush=True)
    b.close()
    a.close()


def bench_delivery(args, server):
    print('2. delivery latency A -> B log, default options', flush=True)
    a = mount(server, 'deliv', 'alice')
    b = mount(server, 'deliv', 'bob')
    os.mkdir(a.path('d'))
    h.wait_for(lambda: os.path.exists(b.log('d')), 10)
    seen = {}
    stop = threading.Event()

    def reader():  # a reader holding log open, reading the growth every 2 ms
        buf = b''
        with open(b.log('d'), 'rb') as f:
            while not stop.is_set():
                chunk = f.read()
                if chunk:
                    now = time.monotonic()
                    buf += chunk
                    *lines, buf = buf.split(b'\n')
                    for line in lines:
                        m = re.search(rb'deliv (\d+)$', line)
                        if m:
                            seen[int(m.group(1))] = now
                time.sleep(0.002)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    sent = {}
    rng = random.Random(1)
    for i in range(args.delivery):
        time.sleep(rng.uniform(0.0, 0.2))
        sent[i] = time.monotonic()
        with open(a.outbox('d'), 'a') as f:
            f.write('deliv %d\n' % i)
    h.wait_for(lambda: len(seen) >= args.delivery, 30)
    stop.set()
    t.join()
    lat = [seen[i] - sent[i] for i in sent]
    row('2 delivery A -> B log p50', '%.0f ms' % (pct(lat, .5) * 1e3), '-', '<= 300 ms',
        '(%d messages, 0-200 ms apart)' % len(lat))
    row('2 delivery A -> B log p99', '%.0f ms' % (pct(lat, .99) * 1e3), '-', '<= 1000 ms',
        '(max %.0f ms)' % (max(lat) * 1e3))
    a.close()
    b.close()


def bench_read(args, server):
    print('5. read of a %d-message log; warm remount' % args.read_messages, flush=True)
    folder, size = gen(args.tool, server, 'read', 'r', args.read_messages)
    client = h.ClientDir()
    b = mount(server, 'read', 'bob', client)
    cold = cat_seconds(b.log('r'))  # opening syncs: download + decrypt + render
    log_size = os.path.getsize(b.log('r'))
    warm = min(cat_seconds(b.log('r')) for _ in range(3))
    wfile = writer_file(folder)
    disk = max(cat_seconds(wfile), 1e-6)
    row('5 read: cat ROOM/log (synced)', '%.0f MB/s' % (log_size / warm / 1e6),
        'cat of a local file %.0f MB/s' % (os.path.getsize(wfile) / disk / 1e6),
        '>= 100 MB/s', '(log %.1f MB)' % (log_size / 1e6))
    row('5 read: first cat after mount (fetch+decrypt)', '%.2f s' % cold, '-', '-',
        '(%.1f MB ciphertext)' % (size / 1e6))
    b.unmount()
    mark = log_lines(server)
    b = mount(server, 'read', 'bob', client)
    again = cat_seconds(b.log('r'))
    old = transfer_bytes(server, mark, 'RETR')
    row('5 warm remount: old history downloaded', '%d B' % old, 'cold: %d B' % size, '0',
        '(unchanged writer files are read from the cache with no request; first cat %.2f s)' % again)
    b.close()


def vm(pid, key):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1]) * 1024
    return 0


def bench_rss(args, server):
    print('6. peak RSS with a %d-message room, cat log + tail -f' % args.rss_messages, flush=True)
    _folder, size = gen(args.tool, server, 'rss', 'm', args.rss_messages)
    b = mount(server, 'rss', 'bob')
    idle_rss = vm(b.pid, 'VmRSS')
    # Opening a room runs Argon2id on the passphrase (64 MiB, docs/SECURITY.md) once per
    # room at mount time: that peak is reported apart, then the peak is reset (clear_refs 5)
    # so the figure below is what serving the big room costs.
    kdf_peak = vm(b.pid, 'VmHWM')
    with open('/proc/%d/clear_refs' % b.pid, 'w') as f:
        f.write('5')
    tail = subprocess.Popen(['tail', '-f', b.log('m')], stdout=subprocess.DEVNULL)
    try:
        secs = cat_seconds(b.log('m'))
        time.sleep(1.5)
        peak = vm(b.pid, 'VmHWM')
        now = vm(b.pid, 'VmRSS')
    finally:
        tail.kill()
        tail.wait()
    row('6 peak RSS of the daemon serving it (VmHWM)', '%.0f MB' % (peak / 1e6),
        'idle after mount: %.0f MB' % (idle_rss / 1e6), '<= 64 MB',
        '(first sync + cat + tail -f; after: %.0f MB; log %.0f MB; cat %.1f s; %.0f MB ciphertext)'
        % (now / 1e6, os.path.getsize(b.log('m')) / 1e6, secs, size / 1e6))
    row('6 peak RSS at mount (Argon2id key derivation)', '%.0f MB' % (kdf_peak / 1e6), '-', '-',
        '(64 MiB of Argon2id memory, once per room opened, released before serving)')
    b.close()


LIST_VERBS = ('STAT', 'LIST', 'MLSD', 'NLST')


def listing_bytes(server, commands):
    """Bytes the server sends for these listing commands (pyftpdlib logs no size for them):
    each distinct one is asked again over ftplib and its lines counted with their CRLF (for
    STAT, the lines of its reply on the control connection)."""
    import ftplib
    ftp = ftplib.FTP()
    ftp.connect('127.0.0.1', server.port)
    ftp.login(server.user, server.password)
    sizes, total = {}, 0
    for cmd in commands:
        if cmd not in sizes:
            if cmd.upper().startswith('STAT '):
                ftp.putcmd(cmd)
                lines = ftp.getmultiline().split('\n')
            else:
                lines = []
                ftp.retrlines(cmd, lines.append)
            sizes[cmd] = sum(len(x) + 2 for x in lines)
        total += sizes[cmd]
    ftp.quit()
    return total


def bench_writers(args, server):
    print('8. poll cost of a room with 500 writer files (period folders)', flush=True)
    seconds = 10
    for base, active, what in (('writers-old', 5, '495 in 12 older months, 5 this month'),
                               ('writers-now', 500, 'all 500 this month')):
        folder, _ = gen(args.tool, server, base, 'w', 1000, 500, active)
        newest = max(p for p in os.listdir(folder) if re.match(r'^\d{4}-\d\d$', p))
        newest_files = len(os.listdir(os.path.join(folder, newest)))
        b = mount(server, base, 'bob')
        with open(b.log('w'), 'rb') as f:  # read now and then: the room stays active (fast polls)
            f.read()
            mark, mark_log = len(server.commands()), log_lines(server)
            t0 = time.monotonic()
            while time.monotonic() - t0 < seconds:
                f.read()
                time.sleep(0.2)
        window = server.commands()[mark:]
        with open(server.command_log, errors='replace') as log:
            logged = '\n'.join(log.read().splitlines()[mark_log:])
        retr = sum(int(n) for n in re.findall(r'\] RETR \S+ completed=\d bytes=(\d+)', logged))
        b.close()
        lists = [c for c in window if c.split(' ', 1)[0].upper() in LIST_VERBS]
        polls = max(1, sum(1 for c in lists if c.rstrip('/').endswith('/' + newest)))
        full = sum(1 for c in lists if c.rstrip('/').endswith(os.path.basename(folder)))
        listed = listing_bytes(server, lists)
        name = '8 poll, 500 writers (%s)' % what
        row(name + ': requests/poll', '%.2f' % (len(window) / polls), '-', '-',
            '(%d polls in %d s while read, %d of them full; %s)'
            % (polls, seconds, full, ' '.join(sorted({c.split()[0] for c in window}))))
        row(name + ': bytes/poll', '%.0f B' % ((listed + retr) / polls), '-', 'small',
            '(listings %.0f B + RETR %.0f B; newest period holds %d files)'
            % (listed / polls, retr / polls, newest_files))


def start_idle(server, watched):
    m = mount(server, 'idle', 'idler')
    os.mkdir(m.path('i'))
    with open(m.outbox('i'), 'a') as f:
        f.write('last words\n')
    tail = subprocess.Popen(['tail', '-f', m.log('i')], stdout=subprocess.DEVNULL) if watched else None
    return m, tail, time.monotonic()


def finish_idle(server, m, tail, started, watched, window):
    wait = started + 60 - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    before = len(server.commands())
    time.sleep(window)
    rate = (len(server.commands()) - before) / window
    row('7 idle cost after 60 s quiet%s' % (', tail -f running' if watched else ''),
        '%.2f requests/s' % rate, '-', '<= 1', '(FTP commands over %d s)' % window)
    if tail:
        tail.kill()
        tail.wait()
    m.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', default=os.environ.get('FTPCHATFS_BIN', 'build/ftpchatfs'))
    ap.add_argument('--tool', default='build/bench/ftpchat_bench')
    ap.add_argument('--delivery', type=int, default=200)
    ap.add_argument('--throughput', type=int, default=20000, help='lines, one write() each')
    ap.add_argument('--throughput-stdio', type=int, default=50000, help='lines through seq | sed')
    ap.add_argument('--big-messages', type=int, default=70000, help='messages of the ~10 MB room')
    ap.add_argument('--read-messages', type=int, default=100000)
    ap.add_argument('--rss-messages', type=int, default=1000000)
    ap.add_argument('--idle-window', type=int, default=20)
    ap.add_argument('--skip', default='', help='comma-separated: send,throughput,delivery,read,rss,writers,idle')
    args = ap.parse_args()
    os.environ['FTPCHATFS_BIN'] = os.path.abspath(args.bin)
    args.tool = os.path.abspath(args.tool)
    skip = set(args.skip.split(','))
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    print('ftpchatfs benchmark: %s, %d cores' % (os.uname().release, os.cpu_count()), flush=True)
    idle = []
    if 'idle' not in skip:  # measured last, on servers of their own, after 60 s of quiet
        for watched in (False, True):
            srv = h.PyFtpdServer()
            srv.start()
            idle.append((srv, watched) + start_idle(srv, watched))
    with h.PyFtpdServer() as server:
        for name, fn in (('send', bench_send), ('throughput', bench_throughput),
                         ('delivery', bench_delivery), ('read', bench_read),
                         ('writers', bench_writers), ('rss', bench_rss)):
            if name not in skip:
                fn(args, server)
    for srv, watched, m, tail, started in idle:
        finish_idle(srv, m, tail, started, watched, args.idle_window)
        srv.stop()
    print('\n| Measure | ftpchatfs | Baseline (same run) | Target | Note |\n|---|---|---|---|---|')
    for r in ROWS:
        print('| %s | %s | %s | %s | %s |' % r)


if __name__ == '__main__':
    main()
