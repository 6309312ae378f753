# The network bench's Markdown table: one row per measure and server kind, one column per
# link profile. Times on a delayed link also show how many round trips they are over the
# same figure at 0 ms ("+N RTT"), which holds on any link of that latency.
import statistics

from net_traffic import Stats


def _mean(values):
    return statistics.mean(values)


def _delivery(rooms):
    def get(r):
        d = r['deliv%d' % rooms]
        return (d[0], d[1]), ' (n=%d%s)' % (d[2], ', %d lost' % d[3] if d[3] else '')
    return get


# (label, getter(res) -> value or (value, suffix), kind: time | pair (p50, p99) | bytes |
# number | text)
ROWS = [
    ('Mount, 1 room (mean of 2 mounts)', lambda r: _mean(r['mount1']), 'time'),
    ('Mount, 20 rooms (mean of 2)', lambda r: _mean(r['mount20']), 'time'),
    ('Mount, 20 rooms: round trips waited (turns)', lambda r: r['mount20_stats'].turns, 'number'),
    ('raw libcurl: connect + login + first LIST', lambda r: r['raw_list']['first'], 'time'),
    ('Send latency p50 / p99 (close of outbox -> on server)', lambda r: r['send'], 'pair'),
    ('raw libcurl APPE on a warm connection, p50', lambda r: r['raw_appe']['p50'], 'time'),
    ('Delivery A -> B p50 / p99, 1 room active', _delivery(1), 'pair'),
    ('Delivery p50 / p99, 5 rooms active at once', _delivery(5), 'pair'),
    ('Delivery p50 / p99, 20 rooms active at once', _delivery(20), 'pair'),
    ('First `cat log`, 10 MB room, fresh mount', lambda r: r['cat_first'], 'time'),
    ('raw libcurl: connect + login + RETR of its writer file', lambda r: r['raw_get']['first'], 'time'),
    ('Warm remount: mount', lambda r: r['warm_mount'], 'time'),
    ('Warm remount: first `cat log`', lambda r: r['warm_cat'], 'time'),
    ('Warm remount: bytes to the client (mount + cat)', lambda r: r['warm_bytes'], 'bytes'),
    ('Idle poll: requests (FTP commands + data connections; SFTP request batches)',
     lambda r: r['idle']['requests'], 'number'),
    ('Idle poll: round trips waited (turns)', lambda r: r['idle']['turns'], 'number'),
    ('Idle poll: wall time / RTT', lambda r: r['idle']['rtts'], 'number'),
    ('Idle poll: bytes both ways', lambda r: r['idle']['bytes'], 'bytes'),
    ('Idle poll: FTP commands', lambda r: r['idle']['commands'], 'text'),
    ('raw libcurl LIST of the period folder, warm, p50', lambda r: r['raw_list']['p50'], 'time'),
    ('sshfs `-o dir_cache=no`: delivery p50 / p99 (shared file, tail -f on a 2nd mount)',
     lambda r: r['sshfs'], 'pair'),
    ('sshfs: mount', lambda r: _mean(r['sshfs_mount']), 'time'),
]


def _time(t):
    return '%.0f ms' % (t * 1e3) if t < 1 else '%.2f s' % t


def _value(getter, res):
    try:
        v = getter(res)
    except (KeyError, TypeError, IndexError, statistics.StatisticsError):
        return None, ''
    if isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], str):
        return v  # (value, suffix)
    return v, ''


def _cell(kind, value, suffix, zero, rtt):
    if value is None:
        return '-'
    if kind == 'pair':
        text = ' / '.join(_time(v) for v in value[:2])
        if rtt and zero is not None:
            text += ' (%+.0f / %+.0f RTT)' % ((value[0] - zero[0]) / rtt, (value[1] - zero[1]) / rtt)
    elif kind == 'time':
        text = _time(value)
        if rtt and zero is not None:
            text += ' (%+.0f RTT)' % ((value - zero) / rtt)
    elif kind == 'bytes':
        text = '{:,.0f} B'.format(value)
    elif kind == 'number':
        text = '%.1f' % value if value != int(value) else '%d' % value
    else:
        text = '`%s`' % value if value else '-'
    return text + suffix


def render(profiles, kinds, results):
    zero = next((p for p in profiles if p.link.rtt == 0 and not p.link.rate), None)
    head = '| Measure | Server | ' + ' | '.join(p.title for p in profiles) + ' |'
    out = [head, '|' + '---|' * (2 + len(profiles))]
    for label, getter, kind in ROWS:
        for k in kinds:
            cells, any_value = [], False
            base = _value(getter, results.get(zero.spec, {}).get(k, {}))[0] if zero else None
            for p in profiles:
                v, suffix = _value(getter, results.get(p.spec, {}).get(k, {}))
                any_value |= v is not None
                cells.append(_cell(kind, v, suffix, base, p.link.rtt))
            if any_value:
                out.append('| %s | %s | %s |' % (label, k, ' | '.join(cells)))
    return '\n'.join(out)


def from_json(results):
    """network.py's --json results with the traffic stats made Stats again."""
    for by_kind in results.values():
        for res in by_kind.values():
            for key, value in res.items():
                if key.endswith('_stats') and isinstance(value, list):
                    res[key] = Stats(*value)
    return results
