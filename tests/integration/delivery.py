# Shared by test_concurrency and test_faults: mounting N clients of one room, sending through
# the real outbox with a shell loop, and checking that a client's log holds every message
# exactly once with each sender's messages in send order.
import os
import re
import subprocess
import time

import chatharness as h
from harness_base import pid_alive, process_tree

PASS = 'correct horse battery staple'
ROOM = 'general'

# "2026-11-27 10:59:43 <alice> hello": the date, the time, then the nick in angle brackets.
_LINE_RE = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d <([^>]*)> (.*)$')

# One sender: `echo "NICK I" >> outbox` for I in FIRST..LAST, as fast as the shell can go (or
# with `sleep PAUSE` between messages). Each echo opens, writes and closes the outbox, so every
# message is its own write + flush. It prints I once the echo succeeded (acknowledged).
SEND_LOOP = ('for i in $(seq "$2" "$3"); do echo "$0 $i" >> "$1" || exit 1; echo "$i";'
             ' [ -z "$4" ] || sleep "$4"; done')


def body(nick, i):
    return '%s %d' % (nick, i)


def start_sender(mount, nick, first, last, room=ROOM, pause=None):
    """The shell loop above as a child process (the caller waits for it)."""
    args = [nick, mount.outbox(room), str(first), str(last), '' if pause is None else str(pause)]
    return subprocess.Popen(['sh', '-c', SEND_LOOP] + args, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_senders(procs, timeout):
    """Waits for every sender; returns their (status, stderr, acknowledged numbers) triples."""
    deadline = time.monotonic() + timeout
    out = []
    for p in procs:
        try:
            acked, err = p.communicate(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            acked, err = p.communicate()
            err += '\n(test: sender killed after %.0fs)' % timeout
        out.append((p.returncode, err.strip(), [int(x) for x in acked.split()]))
    return out


def log_messages(mount, room=ROOM):
    """[(nick, body)] of every line of the mount's log, in log order. A line that is not a
    message (a notice) is returned as (None, line)."""
    out = []
    for line in h.read_text(mount.log(room)).splitlines():
        m = _LINE_RE.match(line)
        out.append((m.group(1), m.group(2)) if m else (None, line))
    return out


def count_messages(mount, room=ROOM):
    return sum(1 for nick, _ in log_messages(mount, room) if nick is not None)


def delivery_problems(messages, expected):
    """Compares a log's messages with what was sent. expected: {nick: [body, ...]} in send
    order. Returns a list of problems (empty when every message is there exactly once and each
    sender's messages keep their order); messages from nicks not in `expected` are ignored."""
    problems = []
    for nick, want in expected.items():
        got = [b for n, b in messages if n == nick]
        seen, dups = set(), []
        for b in got:
            if b in seen:
                dups.append(b)
            seen.add(b)
        missing = [b for b in want if b not in seen]
        extra = sorted(seen - set(want))
        if dups:
            problems.append('%s: %d duplicate(s), e.g. %r' % (nick, len(dups), dups[:3]))
        if missing:
            problems.append('%s: %d of %d missing, e.g. %r' % (nick, len(missing), len(want), missing[:3]))
        if extra:
            problems.append('%s: %d unexpected, e.g. %r' % (nick, len(extra), extra[:3]))
        if not dups and not missing and not extra and got != want:
            first = next(i for i, (a, b) in enumerate(zip(got, want)) if a != b)
            problems.append('%s: out of send order at #%d: %r where %r was sent'
                            % (nick, first, got[first], want[first]))
    return problems


def wait_delivered(mount, total, timeout, room=ROOM):
    """Waits until the mount's log holds at least `total` messages; returns the messages."""
    h.wait_for(lambda: count_messages(mount, room) >= total, timeout, interval=0.25,
               message='%d messages in %s (have %s)' % (total, mount.log(room), _safe_count(mount, room)))
    return log_messages(mount, room)


def _safe_count(mount, room):
    try:
        return count_messages(mount, room)
    except OSError as e:
        return 'unreadable: %s' % e


def read_status(mount, room=ROOM):
    """ROOM/status as {key: value}; {} when this build has no status file."""
    try:
        return h.read_status(mount, room)
    except FileNotFoundError:
        return {}


def status_number(status, key):
    """An integer status value, or None when the key is absent."""
    value = status.get(key)
    return int(value) if value is not None and value.isdigit() else None


def cpu_seconds(pid):
    """User + system CPU of pid and its live descendants, with their reaped children."""
    tick = os.sysconf('SC_CLK_TCK')
    total = 0
    for p in process_tree(pid):
        if not pid_alive(p):
            continue
        try:
            with open('/proc/%d/stat' % p) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / tick


def mount_clients(url, nicks, options=('poll=200',), client_dirs=None, room=ROOM):
    """One mount per nick, each with its own client folder (a different user/machine). The
    first creates `room` (mkdir) before the others mount, so they all find it at start."""
    mounts = []
    for i, nick in enumerate(nicks):
        client = client_dirs[i] if client_dirs else None
        m = h.Mount(url, nick, PASS, client_dir=client, options=list(options))
        mounts.append(m)
        m.start()
        if i == 0 and room and not os.path.exists(m.path(room)):
            os.mkdir(m.path(room))
    for m in mounts:
        h.wait_for(lambda: os.path.exists(m.log(room)), 10, message='room on %s' % m.mountpoint)
    return mounts
