# The measurements of the network bench (bench/network.py), each on one Target (a server
# kind behind proxies with the link under test). Each stores figures in a dict `res` under
# the names network.py's table reads; with a Dumper, the proxy's log of each phase is written
# out for the analysis.
import os
import random
import re
import selectors
import subprocess
import threading
import time

import net_traffic
from bench_common import cat_seconds, h, pct, send_and_wait_on_server, writer_files

LINE_RE = re.compile(r'<alice> nb (\S+) (\d+)$')
DELIVERY_TIMEOUT = 120  # seconds for the last message of a delivery run to show up


class Dumper:
    """Writes a phase's proxy log to FOLDER/PREFIX-PHASE.txt (nothing without a folder)."""

    def __init__(self, folder, prefix):
        self.folder, self.prefix = folder, prefix

    def __call__(self, phase, proxy, since, origin):
        if self.folder:
            name = '%s-%s.txt' % (self.prefix, phase)
            net_traffic.dump(proxy.traffic.events(since), os.path.join(self.folder, name), origin,
                             '%s %s, %r' % (self.prefix, phase, proxy.link))


class TimedTails:
    """GNU `tail -f -s INTERVAL -n +1` on each path; every line with the monotonic time it
    came out of tail."""

    def __init__(self, paths, interval=0.05):
        self.procs = [subprocess.Popen(['setpriv', '--pdeathsig', 'KILL', '--', 'tail', '-f', '-s', str(interval),
                                        '-n', '+1', p], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                      for p in paths]
        self.lines = []  # (time, index of path, text); protected by _cond
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        sel = selectors.DefaultSelector()
        pending = {}
        for i, p in enumerate(self.procs):
            sel.register(p.stdout, selectors.EVENT_READ, i)
            pending[i] = b''
        while sel.get_map():
            for key, _ in sel.select(timeout=0.5):
                data = os.read(key.fd, 65536)
                now = time.monotonic()
                if not data:
                    sel.unregister(key.fileobj)
                    continue
                *lines, pending[key.data] = (pending[key.data] + data).split(b'\n')
                with self._cond:
                    self.lines += [(now, key.data, x.decode('utf-8', 'replace')) for x in lines]
                    self._cond.notify_all()

    def wait(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self.lines):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise h.WaitTimeout('%s: not within %.0f s (%d lines so far)' % (what, timeout, len(self.lines)))
                self._cond.wait(min(left, 0.2))

    def stop(self):
        for p in self.procs:
            p.kill()
            p.wait()
        self._thread.join(5)
        for p in self.procs:
            p.stdout.close()


def _sent_to_seen(tails, sent, what):
    """Waits for every message of `sent` ({(room, n): time}) in the tails: latencies and the
    count of those that never came."""
    def seen_all(lines):
        got = {(m.group(1), int(m.group(2))) for _, _, text in lines for m in [LINE_RE.search(text)] if m}
        return got >= set(sent)
    try:
        tails.wait(seen_all, DELIVERY_TIMEOUT, what)
    except h.WaitTimeout:
        pass
    seen = {}
    for t, _, text in list(tails.lines):
        m = LINE_RE.search(text)
        if m:
            seen.setdefault((m.group(1), int(m.group(2))), t)
    lat = [seen[k] - sent[k] for k in sent if k in seen]
    return lat, len(sent) - len(lat)


def delivery(target, base, rooms, rounds, history, res, dump, tag, send_count=0):
    """Mounts A and B of a base folder with `rooms` rooms (mount times). With rounds: B
    follows every room with tail -f, A sends `rounds` rounds of one message to each room
    (shuffled), 0.2-0.6 s apart, each marked with `tag` (unique per run: the rooms keep
    earlier runs' messages): delivery p50/p99. With send_count, then times sends on A
    (send_latency)."""
    a = target.mount(base, 'alice')
    b = target.mount(base, 'bob')
    res['mount%d' % rooms] = [a.seconds, b.seconds]
    dump('mount%d' % rooms, b.proxy, 0, b.proxy.traffic.events()[0].t)
    res['mount%d_stats' % rooms] = net_traffic.stats(b.proxy.traffic.events())
    if rounds:
        _deliver(a, b, rooms, rounds, history, res, dump, tag)
    if send_count:
        send_latency(target, a, base, send_count, res, dump)
    b.close()
    a.close()
    for m in (a, b):
        target.drop_proxy(m.proxy)


def _deliver(a, b, rooms, rounds, history, res, dump, tag):
    names = ['r%02d' % i for i in range(rooms)]
    tails = TimedTails([b.log(r) for r in names])
    try:
        tails.wait(lambda lines: len(lines) >= rooms * history, 300, 'history in every tail')
        rng = random.Random(rooms)
        mark_a, mark_b, origin = a.proxy.traffic.mark(), b.proxy.traffic.mark(), time.monotonic()
        sent = {}
        for n in range(rounds):
            for r in rng.sample(names, len(names)):
                with open(a.outbox(r), 'a') as f:
                    f.write('nb %s:%s %d\n' % (tag, r, n))
                sent[('%s:%s' % (tag, r), n)] = time.monotonic()
            time.sleep(rng.uniform(0.2, 0.6))
        lat, lost = _sent_to_seen(tails, sent, 'delivery to %d rooms' % rooms)
        dump('delivery%d-sender' % rooms, a.proxy, mark_a, origin)
        dump('delivery%d-reader' % rooms, b.proxy, mark_b, origin)
    finally:
        tails.stop()
    res['deliv%d' % rooms] = (pct(lat, .5), pct(lat, .99), len(lat), lost) if lat else None


def send_latency(target, a, base, count, res, dump):
    """Sends `count` messages into r00 one at a time, each timed from the close of outbox
    until the server's writer file grew (bench.py's measure), with the raw libcurl APPE
    through an identical link beside it."""
    folder = os.path.join(target.server.data_dir, base)
    send_and_wait_on_server(a, 'r00', folder, 'warm-up', timeout=60)
    mark, origin = a.proxy.traffic.mark(), time.monotonic()
    times = []
    for i in range(count):
        times.append(send_and_wait_on_server(a, 'r00', folder, 'latency %d' % i, timeout=60))
        time.sleep(0.3)
    dump('send', a.proxy, mark, origin)
    s = a.proxy.traffic.summary(mark)
    res['send'] = (pct(times, .5), pct(times, .99))
    res['send_verbs'] = {k: v / count for k, v in s['verbs'].items()}
    target.server.make_dir('rawbase/')
    res['raw_appe'] = target.raw('appe', 'rawbase/appe.bin', count, size=256)


def idle(target, base, window, res, dump):
    """The cost of one poll of an idle room: a fresh mount (poll=1000, so that polls stand
    apart in time; a poll's cost does not depend on the interval) reads its log once, then
    the proxy's log of `window` seconds is cut into polls."""
    m = target.mount(base, 'idler', options=['poll=1000'])
    try:
        cat_seconds(m.log('r00'))
        time.sleep(1.5)
        mark, t0 = m.proxy.traffic.mark(), time.monotonic()
        time.sleep(window)
        t1 = time.monotonic()
        events = [e for e in m.proxy.traffic.events(mark) if e.t <= t1]
        dump('idle', m.proxy, mark, t0)
        res['idle'] = net_traffic.idle_polls(events, target.link.rtt, 0.45, t0, t1)
        room = os.path.basename(os.path.dirname(os.path.dirname(writer_files(os.path.join(target.server.data_dir, base))[0])))
        period = h.current_period()
        res['raw_list'] = target.raw('list', '%s/%s/%s/' % (base, room, period), 10)
    finally:
        m.close()
        target.drop_proxy(m.proxy)


def complete_cat_seconds(path, lines, timeout=600):
    """Seconds until a `cat` of `path` shows all `lines` lines: opening log waits at most 2 s
    for the room's sync (chat_fs.cpp rule 2), so a long first sync takes several cats."""
    t0 = time.monotonic()
    while True:
        out = subprocess.run(['cat', path], check=True, timeout=timeout, capture_output=True).stdout
        if out.count(b'\n') >= lines:
            return time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise RuntimeError('%s: %d of %d lines after %d s' % (path, out.count(b'\n'), lines, timeout))
        time.sleep(0.05)


def read(target, base, res, dump, messages):
    """First complete `cat log` of a big room (`messages` lines) on a fresh mount, then a warm
    remount (same client folder, same URL) and its first `cat`; bytes are what the proxy
    delivered to the client. Beside it: raw libcurl downloading the writer file (connection
    and login included)."""
    client = h.ClientDir()
    m = target.mount(base, 'reader', client)
    proxy = m.proxy
    mark, origin = proxy.traffic.mark(), time.monotonic()
    res['cat_first'] = complete_cat_seconds(m.log('r00'), messages)
    res['cat_bytes'] = proxy.traffic.summary(mark)['bytes_down']
    dump('cat-first', proxy, mark, origin)
    m.close()
    mark, origin = proxy.traffic.mark(), time.monotonic()
    m = target.mount(base, 'reader', client, proxy=proxy)
    res['warm_cat'] = cat_seconds(m.log('r00'))
    res['warm_mount'] = m.seconds
    s = proxy.traffic.summary(mark)
    res['warm_bytes'] = s['bytes_down']
    res['warm_stats'] = net_traffic.stats(proxy.traffic.events(mark))
    dump('warm-remount', proxy, mark, origin)
    m.close()
    target.drop_proxy(proxy)
    wfile = writer_files(os.path.join(target.server.data_dir, base))[0]
    res['raw_get'] = target.raw('get', os.path.relpath(wfile, target.server.data_dir), 0)
    res['room_bytes'] = os.path.getsize(wfile)


def sshfs_delivery(target, count, res, dump, tag):
    """The peer to beat: one shared file on sshfs (-o dir_cache=no), appended to on mount A
    and followed with tail -f on mount B, both through proxies with the same link."""
    target.server.make_dir('sshfs/')
    shared = 'shared.log'
    open(target.server.local_path('sshfs/' + shared), 'w').close()
    mnt_a, secs_a, stop_a = target.sshfs('sshfs')
    mnt_b, secs_b, stop_b = target.sshfs('sshfs')
    res['sshfs_mount'] = [secs_a, secs_b]
    tails = TimedTails([os.path.join(mnt_b, shared)])
    try:
        time.sleep(1)
        rng = random.Random(2)
        sent = {}
        for n in range(count):
            time.sleep(rng.uniform(0.2, 0.8))
            with open(os.path.join(mnt_a, shared), 'a') as f:
                f.write('<alice> nb %s %d\n' % (tag, n))
            sent[(tag, n)] = time.monotonic()
        lat, lost = _sent_to_seen(tails, sent, 'sshfs delivery')
    finally:
        tails.stop()
        stop_b()
        stop_a()
    res['sshfs'] = (pct(lat, .5), pct(lat, .99), len(lat), lost) if lat else None
