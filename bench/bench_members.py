#!/usr/bin/python3
# Member rooms (issue 11) against passphrase rooms, measured in the same run on pyftpdlib on
# 127.0.0.1 (bench/run.sh BUILD --members, or:
#   /usr/bin/python3 bench/bench_members.py --bin BUILD/ftpchatfs --tool BUILD/bench/ftpchat_bench)
# M1 first sync of a 100,000-message room through a fresh mount (first cat of ROOM/log);
# M2 bytes per message on the server; M3 one writer's throughput through a mount; M4 the CPU
# of an invite and a removal in a room of 100 members (ftpchat, as a user runs it); M5 M1's
# one-message-per-upload shape (10,000 messages) through the harness proxy at 1 MB/s and 25 ms
# each way, where the bytes of M2 cost time.
# Prints a Markdown table (docs/PERFORMANCE.md keeps the latest). Not a test: no pass/fail.
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'harness'))
import bench  # noqa: E402  (gen, mount, row, cat_seconds, write_per_line, ROWS)
import chatharness as h  # noqa: E402


def ftpchat(args):
    return os.path.join(os.path.dirname(args.bin), 'ftpchat')


def identity(args, client):
    """A fresh identity file in `client` (ftpchat id new); returns (path, public id)."""
    path = os.path.join(client.root, 'identity')
    out = subprocess.run([ftpchat(args), 'id', 'new', '--chatid', path], capture_output=True,
                         text=True, check=True).stdout.strip()
    return path, out


def gen_member(args, server, base, name, messages, members=1, run=100):
    folder = os.path.join(server.data_dir, base)
    os.makedirs(folder, exist_ok=True)
    owner = h.ClientDir()
    idfile, _ = identity(args, owner)
    out = subprocess.run([args.tool, 'gen-member', folder, name, idfile, str(messages), str(members),
                          str(run)], capture_output=True, text=True, check=True).stdout.split()
    return os.path.join(folder, out[0]), int(out[1]), owner, idfile


def member_mount(server, base, nick, client, idfile):
    m = h.Mount(server.url(base + '/'), nick, None, client_dir=client,
                options=['chatid=' + idfile])
    m.start()
    return m


def bench_first_sync(args, server):
    n = args.messages
    print('M1. first sync of a %d-message room, M2. bytes per message' % n, flush=True)
    _, v1_bytes = bench.gen(args.tool, server, 'sync1', 'r', n)
    for run in (int(r) for r in args.runs.split(',')):
        base = 'sync2-%d' % run
        _, v2_bytes, owner, idfile = gen_member(args, server, base, 'r', n, run=run)
        v1, v2 = [], []
        for _ in range(args.repeat):  # alternately, each through a fresh mount and client (no cache)
            m = bench.mount(server, 'sync1', 'bob')
            v1.append(bench.cat_seconds(m.log('r')))
            m.close()
            client = h.ClientDir()
            with open(idfile) as src, open(os.path.join(client.root, 'id'), 'w') as dst:
                dst.write(src.read())
            os.chmod(os.path.join(client.root, 'id'), 0o600)
            m = member_mount(server, base, 'owner', client, os.path.join(client.root, 'id'))
            v2.append(bench.cat_seconds(m.log('r')))
            lines = sum(1 for l in h.read_text(m.log('r')).splitlines() if '<owner> history' in l)
            m.close()
            if lines != n:
                raise AssertionError('member room log shows %d of %d messages' % (lines, n))
        a, b = statistics.median(v1), statistics.median(v2)
        shape = 'one message per upload' if run == 1 else 'uploads of %d messages' % run
        bench.row('M1 first sync, %d messages, %s: member room / passphrase room' % (n, shape),
                  '%.2f' % (b / a),
                  'passphrase room %.2f s, member room %.2f s (medians of %d)' % (a, b, args.repeat),
                  '<= 1.5', '(first cat of ROOM/log after mounting, fresh client)')
        bench.row('M2 bytes per message on the server, %s (60-byte body)' % shape,
                  '%.1f B' % (v2_bytes / n), 'passphrase room: %.1f B' % (v1_bytes / n), '-',
                  '(+%.1f B per message, seals included; v1 nick "writer0")' % ((v2_bytes - v1_bytes) / n))


def log_complete_seconds(m, room, lines, timeout=300):
    """Seconds from the first open of ROOM/log until it holds `lines` lines (a first cat waits
    for the first sync at most 2 s, so on a slow link it returns before the sync ends)."""
    t0 = time.monotonic()
    while True:
        with open(m.log(room), 'rb') as f:
            if f.read().count(b'\n') >= lines:
                return time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise h.WaitTimeout('%s log: fewer than %d lines after %d s' % (m.nick, lines, timeout))
        time.sleep(0.05)


def bench_link(args, server):
    """M5: M1's one-message-per-upload room, smaller, through the harness's proxy modelling a
    link (25 ms each way, 1 MB/s per direction): what the bytes of M2 cost on a network."""
    from harness_link import Link
    n = args.link_messages
    print('M5. first sync of a %d-message room over a 1 MB/s link, 25 ms each way' % n, flush=True)
    proxy = h.TcpProxy(server.port, link=Link(delay=0.025, rate=1000000), max_lifetime=3600)
    _, v1_bytes = bench.gen(args.tool, server, 'link1', 'r', n)
    _, v2_bytes, _, idfile = gen_member(args, server, 'link2', 'r', n, run=1)
    v1, v2 = [], []
    for _ in range(max(1, args.repeat // 2)):
        m = h.Mount(server.url('link1/', port=proxy.port), 'bob', bench.PASS, client_dir=h.ClientDir())
        m.start()
        v1.append(log_complete_seconds(m, 'r', n))
        m.close()
        client = h.ClientDir()
        m = h.Mount(server.url('link2/', port=proxy.port), 'owner', None, client_dir=client,
                    options=['chatid=' + idfile])
        m.start()
        v2.append(log_complete_seconds(m, 'r', n))
        m.close()
    a, b = statistics.median(v1), statistics.median(v2)
    bench.row('M5 first sync, %d messages, one message per upload, 1 MB/s and 25 ms each way: '
              'member room / passphrase room' % n, '%.2f' % (b / a),
              'passphrase room %.2f s (%.1f MB), member room %.2f s (%.1f MB) (medians of %d)'
              % (a, v1_bytes / 1e6, b, v2_bytes / 1e6, len(v1)), '-',
              '(until the log holds every message; fresh client)')


def wait_sent(m, room, count, timeout=300):
    deadline = time.monotonic() + timeout
    while True:
        st = h.read_status(m, room)
        if int(st['messages sent']) >= count and st['messages pending'] == '0':
            return time.monotonic()
        if time.monotonic() > deadline:
            raise h.WaitTimeout('%s of %d sent' % (st['messages sent'], count))
        time.sleep(0.01)


def bench_throughput(args, server):
    count = args.throughput
    print('M3. throughput, one writer, one write() per line (%d lines)' % count, flush=True)
    results = {}
    for kind in ('passphrase', 'member'):
        client = h.ClientDir()
        if kind == 'member':
            idfile, _ = identity(args, client)
            m = member_mount(server, 'tput-' + kind, 'alice', client, idfile)
        else:
            m = bench.mount(server, 'tput-' + kind, 'alice', client)
        os.mkdir(m.path('t'))
        h.append_line(m.outbox('t'), 'warm-up')
        wait_sent(m, 't', 1, 30)
        t0 = time.monotonic()
        bench.write_per_line(m.outbox('t'), 'tput', count)
        results[kind] = count / (wait_sent(m, 't', count + 1) - t0)
        m.close()
    bench.row('M3 throughput, one writer, one write() per line, on the server',
              '{:,.0f} msgs/s'.format(results['member']),
              'passphrase room: {:,.0f} msgs/s'.format(results['passphrase']), '>= 2000',
              '(%d lines; member room: each upload sealed)' % count)


def cpu_of(cmd, env=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise AssertionError('%s failed: %s' % (' '.join(cmd), proc.stderr))
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, wall


def bench_membership(args, server):
    print('M4. invite and removal in a room of %d members' % args.members, flush=True)
    folder, _, owner, idfile = gen_member(args, server, 'members', 'r', 1000, members=args.members)
    url = server.url('members/r')
    base = [ftpchat(args)]
    env = dict(os.environ, **owner.env())
    newcomer = h.ClientDir()
    _, new_id = identity(args, newcomer)
    sync_cpu, sync_wall = cpu_of(base + ['members', '--chatid', idfile, url], env)
    inv_cpu, inv_wall = cpu_of(base + ['invite', '--chatid', idfile, url, 'newcomer', new_id], env)
    rem_cpu, rem_wall = cpu_of(base + ['remove', '--chatid', idfile, url, 'm1'], env)
    baseline = 'ftpchat members (same room, no change): %.2f s CPU' % sync_cpu
    bench.row('M4 ftpchat invite, %d members: CPU' % args.members, '%.2f s' % inv_cpu, baseline,
              '< 1 s', '(wall %.2f s; grant for %d recipients, sync, seal, upload)'
              % (inv_wall, args.members + 1))
    bench.row('M4 ftpchat remove, %d members: CPU' % args.members, '%.2f s' % rem_cpu, baseline,
              '< 1 s', '(wall %.2f s; new epoch for %d recipients)' % (rem_wall, args.members))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', default=os.environ.get('FTPCHATFS_BIN', 'build/ftpchatfs'))
    ap.add_argument('--tool', default='build/bench/ftpchat_bench')
    ap.add_argument('--messages', type=int, default=100000)
    ap.add_argument('--runs', default='100,1', help='messages per upload in the generated member rooms')
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--throughput', type=int, default=20000)
    ap.add_argument('--members', type=int, default=100)
    ap.add_argument('--link-messages', type=int, default=10000, help='messages of the M5 rooms')
    ap.add_argument('--skip', default='', help='comma-separated: sync,throughput,membership,link')
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)
    os.environ['FTPCHATFS_BIN'] = args.bin
    args.tool = os.path.abspath(args.tool)
    skip = set(args.skip.split(','))
    print('ftpchatfs member room benchmark: %s, %d cores' % (os.uname().release, os.cpu_count()), flush=True)
    with h.PyFtpdServer() as server:
        for name, fn in (('sync', bench_first_sync), ('throughput', bench_throughput),
                         ('membership', bench_membership), ('link', bench_link)):
            if name not in skip:
                fn(args, server)
    print('\n| Measure | ftpchatfs | Baseline (same run) | Target | Note |\n|---|---|---|---|---|')
    for r in bench.ROWS:
        print('| %s | %s | %s | %s | %s |' % r)


if __name__ == '__main__':
    main()
