# Reading the harness proxy's traffic log (tests/harness/harness_traffic.py) for the network
# bench: round trips a client waited for, polls cut out of an idle stretch, and a text dump
# of a phase for the analysis in docs/PERFORMANCE.md.
import collections
import statistics

Stats = collections.namedtuple('Stats', 'start duration turns opens commands bytes_up bytes_down')


def turns(events):
    """Round trips the client waited for: each new connection (its handshake) and, per
    connection, each burst it sends first or after bytes reached it there (FTP: every command; SFTP:
    every batch of requests, pipelined ones together). Sequential on one connection; a client
    that used several connections at once would wait for fewer than this."""
    last, n = {}, 0
    for e in events:
        if e.kind == 'open':
            n += 1
            last[e.conn] = 'open'
        elif e.kind == 'up':
            if last.get(e.conn) in (None, 'down'):
                n += 1
            last[e.conn] = 'up'
        elif e.kind == 'down':
            last[e.conn] = 'down'
    return n


def stats(events):
    """What a stretch of events cost: its span (first byte sent to last byte delivered),
    round trips waited for, connections opened, FTP commands, bytes each way."""
    wire = [e for e in events if e.kind in ('open', 'up', 'down')]
    if not wire:
        return Stats(0.0, 0.0, 0, 0, [], 0, 0)
    return Stats(wire[0].t, wire[-1].t - wire[0].t, turns(events),
                 sum(1 for e in events if e.kind == 'open'),
                 [e.value for e in events if e.kind == 'cmd'],
                 sum(e.value for e in events if e.kind == 'up'),
                 sum(e.value for e in events if e.kind == 'down'))


def segments(events, gap, start=None, end=None):
    """Splits events into bursts separated by more than `gap` seconds of silence (polls of
    an idle room). With start/end, bursts not wholly inside [start, end - gap] are dropped:
    the window may cut the first and the last."""
    out, current, last_t = [], [], None
    for e in events:
        if e.kind in ('cmd', 'reply', 'close'):
            if current:
                current.append(e)
            continue
        if last_t is not None and e.t - last_t > gap:
            out.append(current)
            current = []
        current.append(e)
        last_t = e.t
    if current:
        out.append(current)
    if start is not None:
        out = [s for s in out if s[0].t > start + 1e-3 and (end is None or s[-1].t < end - gap)]
    return out


def idle_polls(events, rtt, gap, start, end):
    """The median cost of one poll of an idle room, from the proxy's log of [start, end]."""
    polls = [stats(s) for s in segments(events, gap, start, end)]
    if not polls:
        return None
    requests = [len(p.commands) + p.opens if p.commands else p.turns for p in polls]
    typical = collections.Counter(' '.join(c.split(' ', 1)[0] for c in p.commands) for p in polls)
    return {
        'polls': len(polls),
        'requests': statistics.median(requests),
        'turns': statistics.median(p.turns for p in polls),
        'rtts': statistics.median(p.duration for p in polls) / rtt if rtt else None,
        'bytes': statistics.median(p.bytes_up + p.bytes_down for p in polls),
        'commands': typical.most_common(1)[0][0] if typical else '',
    }


def dump(events, path, origin, title):
    """The events as text, one a line: seconds since origin, connection, kind, value."""
    with open(path, 'w') as f:
        f.write('# %s\n# t(s) conn kind value (up: client sent; down/reply: delivered to client)\n' % title)
        for e in events:
            f.write('%9.4f %3d %-5s %s\n' % (e.t - origin, e.conn, e.kind, '' if e.value is None else e.value))
