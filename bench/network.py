#!/usr/bin/python3
# The network bench (issue 14): ftpchatfs through the harness's TCP proxy modelling a link
# (one-way delay, jitter, bandwidth cap; tests/harness/harness_link.py) to pyftpdlib, vsftpd
# and OpenSSH's sshd on 127.0.0.1, beside raw libcurl and sshfs through the same link. Run
# through bench/network.sh, or:
#   /usr/bin/python3 bench/network.py --bin BUILD/ftpchatfs --tool BUILD/bench/ftpchat_bench
# Profiles are one-way delays in ms, optionally with a cap and the sections to run: the
# default 0,25,50,50+1MB (round trips of 0, 50 and 100 ms; the last also at 1 MB/s each way)
# is in DEFAULT_PROFILES. Prints a Markdown table (docs/PERFORMANCE.md, "On real networks");
# --dump DIR keeps the proxy's log of every phase. Not a test.
import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import net_scenarios as sc  # noqa: E402
import net_table  # noqa: E402
from bench_common import h  # noqa: E402
from net_targets import SERVER_KINDS, Target  # noqa: E402

HISTORY = 5          # messages already in each room of the mount and delivery bases
# delivery1/5/20: delivery with that many rooms active at once (delivery: all three); mount:
# mount times with 1 and 20 rooms (made by any delivery section too); send: send latency.
SECTIONS = ('mount', 'delivery', 'delivery1', 'delivery5', 'delivery20', 'send', 'idle', 'read', 'sshfs')
ALL = ('mount', 'delivery', 'send', 'idle', 'read', 'sshfs')
# The default run (about 15 minutes): everything at 0 and 50 ms each way; at 25 ms each way
# the mounts, 1-room delivery and sends (the other figures scale with the round trip as from
# 0 to 50 ms, and the 5- and 20-room runs take most of the time); with the 1 MB/s cap, what
# bandwidth changes. Everything everywhere: --profiles 0,25,50,50+1MB@read (about 22 minutes).
DEFAULT_PROFILES = '0,25@mount/delivery1/send,50,50+1MB@read'


class Profile:
    """DELAY_MS[+RATE][@SECTION/SECTION...]: 50, 50+1MB (1 MB/s each way), 25@mount/idle."""

    def __init__(self, text, jitter_ms, sections):
        spec, _, only = text.partition('@')
        m = re.match(r'^(\d+(?:\.\d+)?)(?:\+(\d+(?:\.\d+)?)([kM]?)B)?$', spec)
        if not m:
            raise SystemExit('network.py: bad profile %r: DELAY_MS[+RATE][@SECTIONS], e.g. 50+1MB@read' % text)
        delay = float(m.group(1)) / 1000
        rate = None
        if m.group(2):
            rate = float(m.group(2)) * {'': 1, 'k': 1e3, 'M': 1e6}[m.group(3)]
        self.spec = spec
        self.link = h.Link(delay=delay, jitter=jitter_ms / 1000 if delay else 0, rate=rate, seed=1)
        self.sections = set(only.split('/') if only else sections)
        for s in self.sections:
            if s not in SECTIONS:
                raise SystemExit('network.py: unknown section %r (sections: %s)' % (s, ', '.join(SECTIONS)))
        if 'delivery' in self.sections:
            self.sections |= {'delivery1', 'delivery5', 'delivery20'}
        self.slug = spec.replace('+', '-').replace('.', '_')

    @property
    def title(self):
        text = '%g ms RTT' % (self.link.rtt * 1e3)
        if self.link.rate:
            text += ', %g MB/s' % (self.link.rate / 1e6)
        return text


def say(args, target, prof, what):
    print('  %6.0f s  %s, %s: %s' % (time.monotonic() - args.started, target.kind, prof.title, what), flush=True)


def run_profile(target, prof, args, res, dump):
    secs = prof.sections
    tag = '%s-%s' % (target.kind, prof.slug)
    for rooms, rounds in ((1, args.rounds1), (5, args.rounds5), (20, args.rounds20)):
        deliver = 'delivery%d' % rooms in secs
        send = rooms == 1 and 'send' in secs
        if deliver or send or (rooms != 5 and 'mount' in secs):
            say(args, target, prof, '%d room(s)' % rooms)
            sc.delivery(target, 'k%d' % rooms, rooms, rounds if deliver else 0, HISTORY, res, dump, tag,
                        send_count=args.sends if send else 0)
    if 'idle' in secs:
        say(args, target, prof, 'idle poll')
        sc.idle(target, 'k1', args.idle_window, res, dump)
    if 'read' in secs:
        say(args, target, prof, '10 MB room, warm remount')
        sc.read(target, 'big', res, dump, args.big_messages)
    if 'sshfs' in secs and target.kind == 'sshd':
        say(args, target, prof, 'sshfs')
        sc.sshfs_delivery(target, args.sshfs_messages, res, dump, tag + '-sshfs')


def main():
    ap = argparse.ArgumentParser(description='ftpchatfs on modelled network links (issue 14)')
    ap.add_argument('--bin', default=os.environ.get('FTPCHATFS_BIN', 'build/ftpchatfs'))
    ap.add_argument('--tool', default='build/bench/ftpchat_bench')
    ap.add_argument('--mount-options', default='',
                    help='comma-separated -o options added to every ftpchatfs mount '
                         '(e.g. connections=8)')
    ap.add_argument('--profiles', default=DEFAULT_PROFILES,
                    help='comma-separated DELAY_MS[+RATE][@SECTION/...] (one-way delay; default: %(default)s)')
    ap.add_argument('--servers', default='pyftpd,vsftpd,sshd')
    ap.add_argument('--sections', default=','.join(ALL),
                    help='what profiles without @ run (%s)' % ', '.join(SECTIONS))
    ap.add_argument('--jitter', type=float, default=0.0, help='ms of jitter added to each chunk (0..J)')
    ap.add_argument('--rounds1', type=int, default=16, help='messages of the 1-room delivery run')
    ap.add_argument('--rounds5', type=int, default=5, help='rounds of the 5-room run (5 messages each)')
    ap.add_argument('--rounds20', type=int, default=2, help='rounds of the 20-room run (20 messages each)')
    ap.add_argument('--sends', type=int, default=8, help='sends timed one by one')
    ap.add_argument('--idle-window', type=float, default=6.0, help='seconds of idle polls measured')
    ap.add_argument('--big-messages', type=int, default=52000, help='messages of the ~10 MB room')
    ap.add_argument('--sshfs-messages', type=int, default=20)
    ap.add_argument('--dump', help='folder for the proxy logs of each phase')
    ap.add_argument('--json', help='file for every figure, as JSON')
    ap.add_argument('--render', metavar='JSON', help='print the table of an earlier run (its --json file) and exit')
    args = ap.parse_args()
    if args.render:
        with open(args.render) as f:
            saved = json.load(f)
        print(net_table.render([Profile(p, 0, ALL) for p in saved['profiles']], saved['kinds'],
                               net_table.from_json(saved['results'])))
        return
    os.environ['FTPCHATFS_BIN'] = os.path.abspath(args.bin)
    args.tool = os.path.abspath(args.tool)
    sections = [s for s in args.sections.split(',') if s]
    profiles = [Profile(p, args.jitter, sections) for p in args.profiles.split(',') if p]
    kinds = [k for k in args.servers.split(',') if k]
    for k in kinds:
        if k not in SERVER_KINDS:
            raise SystemExit('network.py: unknown server %r (servers: %s)' % (k, ', '.join(SERVER_KINDS)))
    if args.dump:
        os.makedirs(args.dump, exist_ok=True)
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    load_before = subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()
    print('network bench: %s, %d cores; %s' % (os.uname().release, os.cpu_count(), load_before), flush=True)
    started = args.started = time.monotonic()
    results = {}
    for kind in kinds:
        target = Target(kind, args.tool, [o for o in args.mount_options.split(',') if o])
        try:
            print('%s: writing rooms on the server' % kind, flush=True)
            for base, count in (('k1', 1), ('k5', 5), ('k20', 20)):
                target.make_rooms(base, count, HISTORY)
            target.make_rooms('big', 1, args.big_messages)
            for prof in profiles:
                target.link = prof.link
                res = results.setdefault(prof.spec, {}).setdefault(kind, {})
                run_profile(target, prof, args, res, sc.Dumper(args.dump, '%s-%s' % (kind, prof.slug)))
        finally:
            target.close()
    load_after = subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()
    print('\nnetwork bench done in %.0f s; load before: %s; after: %s\n'
          % (time.monotonic() - started, load_before, load_after))
    if args.json:  # first: a table that fails to render must not lose the figures
        with open(args.json, 'w') as f:
            json.dump({'profiles': [p.spec for p in profiles], 'kinds': kinds, 'results': results,
                       'load': [load_before, load_after]}, f, indent=1, default=lambda o: o._asdict()
                      if hasattr(o, '_asdict') else str(o))
    print(net_table.render(profiles, kinds, results))


if __name__ == '__main__':
    main()
