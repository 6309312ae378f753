#!/usr/bin/python3
# Delivery delay through a folder that Syncthing shares between two machines (two Syncthing
# instances on 127.0.0.1, a mount on each one's copy): from `echo >> A/ROOM/outbox` returning
# to the line in `tail -f B/ROOM/log`, for each set of folder settings: messages 0.2-1.2 s
# apart, each waited for, then a steady sender (one every --pace s without waiting, as a busy
# room or a pasted list). Beside it, in the same run: Syncthing alone (a line appended to a
# plain file in A's copy, seen in B's copy, polled every 5 ms) and ftpchatfs alone (both
# mounts on one local folder, no Syncthing).
# Run from the repo root after a build:
#   /usr/bin/python3 bench/syncthing_latency.py [--count N] [--pace S] [--settings defaults,delay1,rescan1]
# GNU tail's own 1 s poll of a FUSE file is in the ftpchatfs figures, as in tail_latency.py.
import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'harness'))
import chatharness as h  # noqa: E402
from harness_syncthing import DEFAULTS, RECOMMENDED, FolderSettings, SyncthingCluster  # noqa: E402

SETTINGS = {
    'defaults': DEFAULTS,
    'delay1': FolderSettings(watcher=True, watcher_delay_s=1),
    'rescan1': RECOMMENDED,
}
PASS = 'pw'
ROOM = 'r'
PER_MESSAGE_TIMEOUT = 90  # s: Syncthing's defaults can hold a change back for a minute


def quantiles(delays):
    s = sorted(delays)
    pick = lambda q: s[min(len(s) - 1, int(q * len(s)))]
    return '%s / %s / %s' % tuple(ms(x) for x in (pick(0.5), pick(0.9), s[-1]))


def ms(seconds):
    return '{:,.0f} ms'.format(seconds * 1000)


def contains_line(path, line):
    try:
        with open(path, 'rb') as f:
            return (line + '\n').encode() in f.read()
    except FileNotFoundError:
        return False


def wait_spaced(count, a, tail, plain):
    """Messages 0.2-1.2 s apart, each waited for: (ftpchatfs delays, raw delays)."""
    chat, raw = [], []
    for i in range(count):
        time.sleep(random.uniform(0.2, 1.2))
        text = 'ping %d' % i
        seen_raw = None
        if plain:
            h.append_line(plain[0], text)
            raw_sent = time.monotonic()
        h.append_line(a.outbox(ROOM), text)
        sent = time.monotonic()
        seen_chat = None
        deadline = sent + PER_MESSAGE_TIMEOUT
        while seen_chat is None or (plain and seen_raw is None):
            now = time.monotonic()
            if now > deadline:
                raise h.HarnessError('message %d not delivered within %ds' % (i, PER_MESSAGE_TIMEOUT))
            if seen_chat is None and any(text in line for line in tail.lines):
                seen_chat = now
            if plain and seen_raw is None and contains_line(plain[1], text):
                seen_raw = now
            time.sleep(0.005)
        chat.append(seen_chat - sent)
        if plain:
            raw.append(seen_raw - raw_sent)
    return chat, raw


def steady(count, pace, a, tail):
    """One message every `pace` seconds without waiting (a busy sender): the delay of each."""
    sent, seen = {}, {}
    began = time.monotonic()
    deadline = began + count * pace + PER_MESSAGE_TIMEOUT
    while len(seen) < count:
        now = time.monotonic()
        if now > deadline:
            raise h.HarnessError('steady sender: %d of %d delivered within %.0fs'
                                 % (len(seen), count, now - began))
        if len(sent) < count and now >= began + len(sent) * pace:
            h.append_line(a.outbox(ROOM), 'steady %d' % len(sent))
            sent[len(sent)] = time.monotonic()
        for line in tail.lines:
            if ' steady ' in line:
                i = int(line.rsplit(' ', 1)[1])
                seen.setdefault(i, now)
        time.sleep(0.005)
    return [seen[i] - sent[i] for i in range(count)]


def measure(count, pace, a_base, b_base, plain=None):
    """Mounts on a_base and b_base: (spaced delays, raw delays, steady delays); plain=(A file,
    B file) also times a raw line appended to A's file until it shows in B's file."""
    a = h.Mount('file://' + a_base, 'alice', PASS)
    b = h.Mount('file://' + b_base, 'bob', PASS)
    try:
        a.start()
        b.start()
        os.mkdir(a.path(ROOM))
        h.wait_for(lambda: os.path.exists(b.log(ROOM)), PER_MESSAGE_TIMEOUT,
                   message='room %s on the second mount' % ROOM)
        with h.TailFollower(b.log(ROOM)) as tail:
            chat, raw = wait_spaced(count, a, tail, plain)
            busy = steady(count, pace, a, tail)
    finally:
        a.close()
        b.close()
    return chat, raw, busy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--count', type=int, default=20)
    ap.add_argument('--settings', default=','.join(SETTINGS),
                    help='comma-separated, of: %s' % ', '.join(SETTINGS))
    ap.add_argument('--pace', type=float, default=0.5, help='seconds between steady messages')
    ap.add_argument('--bin', default=os.environ.get('FTPCHATFS_BIN', 'build/ftpchatfs'))
    args = ap.parse_args()
    os.environ['FTPCHATFS_BIN'] = os.path.abspath(args.bin)
    rows = []

    def row(*cells):
        rows.append(cells)
        print('| %s |' % ' | '.join(cells), flush=True)
    with h.ScratchDir('local') as local:
        chat, _, busy = measure(args.count, args.pace, local, local)
        row('no Syncthing: both mounts on one local folder', '-', quantiles(chat), quantiles(busy))
    for name in args.settings.split(','):
        settings = SETTINGS[name]
        with SyncthingCluster(2, {'chat': settings}) as st:
            a_base, b_base = st.folder_path(0, 'chat'), st.folder_path(1, 'chat')
            plain = (os.path.join(a_base, 'plain.txt'), os.path.join(b_base, 'plain.txt'))
            chat, raw, busy = measure(args.count, args.pace, a_base, b_base, plain)
        row('Syncthing, %s' % settings.describe(), quantiles(raw), quantiles(chat), quantiles(busy))
    print('\nDelay A -> B, p50 / p90 / max over %d messages each:\n' % args.count)
    print('| Folder settings | Syncthing alone: a line in a plain file | ftpchatfs: echo >> outbox'
          ' -> tail -f log | ftpchatfs, a message every %g s without waiting |' % args.pace)
    print('|---|---|---|---|')
    for cells in rows:
        print('| %s |' % ' | '.join(cells))

if __name__ == '__main__':
    main()
