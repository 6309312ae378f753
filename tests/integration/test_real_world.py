# Issue 10, through real mounts on pyftpdlib: accidents of real machines that must not become
# data or trust problems for a room.
#  - ClockTests: members whose clocks are hours or minutes fast or slow (libfaketime in the
#    daemon's LD_PRELOAD), and a clock that steps back while its owner sends;
#  - FullLocalDisk: the state, cache and temporary folders of a client on a tiny tmpfs that
#    fills while the server is stopped;
#  - FullServerDisk, SilentServer: an upload that keeps failing, and a server that stops
#    answering, must show in ROOM/status within seconds; status and ls answer at once, and
#    opening log waits for the server at most 2 s;
#  - Mono24Warnings: the insecure legacy cipher is named where the room's readers look.
import errno
import os
import re
import subprocess
import time
import unittest

import chatharness as h
from chat_scenarios import PASS

FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1'
LOG_LINE = re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (?:<([^>]*)> |-!- )(.*)$')


def faketime_env(offset=None, timestamp_file=None):
    """Environment for a daemon whose clock is off by `offset` ("+2h", "-3h", "+5m"), or
    reads its offset from `timestamp_file` (re-read every second). The monotonic clock stays
    real, so timeouts behave."""
    env = {'LD_PRELOAD': FAKETIME_LIB, 'DONT_FAKE_MONOTONIC': '1', 'FAKETIME_DONT_FAKE_MONOTONIC': '1',
           'TZ': 'UTC'}
    if offset is not None:
        env['FAKETIME'] = offset
    if timestamp_file is not None:
        env['FAKETIME_TIMESTAMP_FILE'] = timestamp_file
        env['FAKETIME_CACHE_DURATION'] = '1'
    return env


def log_entries(mount, room):
    """[(unix seconds, nick or None for -!- notices, text)] of a room's log."""
    out = []
    for line in h.read_text(mount.log(room)).splitlines():
        m = LOG_LINE.match(line)
        if m:
            stamp = time.mktime(time.strptime(m.group(1), '%Y-%m-%d %H:%M:%S'))
            out.append((stamp, m.group(2), m.group(3)))
    return out


def wait_for_text(mount, room, text, timeout=10):
    return h.wait_for(lambda: [e for e in log_entries(mount, room) if e[2] == text], timeout,
                      message='%r in %s' % (text, mount.log(room)))[0]


@unittest.skipUnless(os.path.exists(FAKETIME_LIB), 'libfaketime (Debian package faketime) is missing')
class ClockTests(h.ServerTestCase):
    def mount(self, nick, env=None, **kw):
        env = dict(env or {})
        env.setdefault('TZ', 'UTC')
        return self.start_mount(self.server.url('chat/'), nick, PASS, options=['poll=150'], env=env, **kw)

    def setUp(self):
        self.alice = self.mount('alice')
        self.room = 'r%d' % int(time.monotonic() * 1000)
        os.mkdir(self.alice.path(self.room))

    def test_a_member_two_hours_fast_moves_only_their_own_times(self):
        bob = self.mount('bob', env=faketime_env('+2h'))
        h.append_line(bob.outbox(self.room), 'hello from the future')
        stamp, _, _ = wait_for_text(self.alice, self.room, 'hello from the future')
        self.assertAlmostEqual(stamp - time.time(), 7200, delta=120, msg='bob shows his own clock')
        h.append_line(self.alice.outbox(self.room), 'reply from alice')
        carol = self.mount('carol')
        for m in (self.alice, carol):
            stamp, nick, _ = wait_for_text(m, self.room, 'reply from alice')
            self.assertLess(abs(stamp - time.time()), 60, 'alice\'s reply shows her own clock in %s' % m)
        notices = [e for e in log_entries(self.alice, self.room)
                   if e[1] is None and 'clock of bob' in e[2]]
        self.assertEqual(len(notices), 1, notices)
        self.assertIn('2 h 0 min ahead', notices[0][2])
        status = h.read_status(self.alice, self.room)
        self.assertRegex(status['clocks far off'], r'^bob \(writer [0-9a-f]{8}\) 2 h 0 min ahead$')
        h.append_line(bob.outbox(self.room), 'bob again')
        wait_for_text(self.alice, self.room, 'bob again')
        self.assertEqual(len([e for e in log_entries(self.alice, self.room)
                              if e[1] is None and 'clock of bob' in e[2]]), 1, 'noticed once')

    def test_a_member_minutes_fast_is_pointed_out_and_does_not_drag_others(self):
        dave = self.mount('dave', env=faketime_env('+5m'))
        h.append_line(dave.outbox(self.room), 'dave is early')
        wait_for_text(self.alice, self.room, 'dave is early')
        for text in ('alice on time', 'alice still on time'):
            h.append_line(self.alice.outbox(self.room), text)
            stamp, _, _ = wait_for_text(dave, self.room, text)
            self.assertLess(abs(stamp - time.time()), 60)
        self.assertRegex(h.read_status(self.alice, self.room)['clocks far off'],
                         r'^dave \(writer [0-9a-f]{8}\) (4 min 5\d|5 min [0-5]?\d) s ahead$')
        # Seen from dave, alice lags: noticed once two live messages agree (rule 2).
        h.wait_for(lambda: 'alice' in h.read_status(dave, self.room)['clocks far off'], 5)
        self.assertRegex(h.read_status(dave, self.room)['clocks far off'],
                         r'^alice \(writer [0-9a-f]{8}\) (4 min 5\d|5 min [0-5]?\d) s behind$')

    def test_a_member_three_hours_slow_is_pointed_out_after_two_live_messages(self):
        carol = self.mount('carol', env=faketime_env('-3h'))
        for text in ('carol one', 'carol two'):
            h.append_line(carol.outbox(self.room), text)
            stamp, _, _ = wait_for_text(self.alice, self.room, text)
            self.assertAlmostEqual(time.time() - stamp, 10800, delta=120)
        h.wait_for(lambda: 'carol' in h.read_status(self.alice, self.room)['clocks far off'], 5)
        self.assertRegex(h.read_status(self.alice, self.room)['clocks far off'],
                         r'^carol \(writer [0-9a-f]{8}\) 3 h 0 min behind$')
        notices = [e for e in log_entries(self.alice, self.room) if e[1] is None and 'clock of carol' in e[2]]
        self.assertEqual(len(notices), 1, notices)
        h.append_line(self.alice.outbox(self.room), 'alice unaffected')
        stamp, _, _ = wait_for_text(carol, self.room, 'alice unaffected')
        self.assertLess(abs(stamp - time.time()), 60)

    def test_within_the_bound_a_reply_sorts_after_what_it_answers(self):
        # Eve is 40 s fast: less than the 60 s bound, so alice's clock adopts her stamp and a
        # reader of the history sees the answer below the question.
        eve = self.mount('eve', env=faketime_env('+40'))
        h.append_line(eve.outbox(self.room), 'question from eve')
        wait_for_text(self.alice, self.room, 'question from eve')
        h.append_line(self.alice.outbox(self.room), 'answer from alice')
        h.wait_for(lambda: h.read_status(self.alice, self.room)['messages pending'] == '0', 10)
        fresh = self.mount('reader')
        wait_for_text(fresh, self.room, 'answer from alice')
        texts = [e[2] for e in log_entries(fresh, self.room) if e[1] is not None]
        self.assertLess(texts.index('question from eve'), texts.index('answer from alice'), texts)
        self.assertEqual(h.read_status(self.alice, self.room)['clocks far off'], 'none')

    def test_a_clock_that_steps_back_never_reorders_or_loses_its_own_messages(self):
        offset = os.path.join(h.make_scratch('faketime'), 'offset')
        with open(offset, 'w') as f:
            f.write('+1h\n')
        client = h.ClientDir()
        frank = self.mount('frank', env=faketime_env(timestamp_file=offset), client_dir=client)
        sent = []
        for i in range(3):
            sent.append('frank before %d' % i)
            h.append_line(frank.outbox(self.room), sent[-1])
        wait_for_text(self.alice, self.room, sent[-1])
        with open(offset, 'w') as f:
            f.write('+0\n')  # NTP steps the clock back an hour
        time.sleep(1.5)       # libfaketime re-reads the file every second
        for i in range(3):
            sent.append('frank after %d' % i)
            h.append_line(frank.outbox(self.room), sent[-1])
        wait_for_text(self.alice, self.room, sent[-1])
        frank.close()
        frank = self.mount('frank', env=faketime_env(timestamp_file=offset), client_dir=client)
        for i in range(2):
            sent.append('frank remounted %d' % i)
            h.append_line(frank.outbox(self.room), sent[-1])
        fresh = self.mount('reader')
        for m in (self.alice, fresh, frank):
            wait_for_text(m, self.room, sent[-1])
            got = [e[2] for e in log_entries(m, self.room) if e[1] == 'frank']
            self.assertEqual(got, sent, 'in %s' % m)


class FullLocalDisk(h.ServerTestCase):
    """Alice's state, cache and temporary folders on a 4 MiB tmpfs, filled to the last KiB."""

    def test_a_full_state_disk_refuses_writes_delivers_once_and_recovers(self):
        steps = h.Steps('full local disk')
        url = self.server.url('chat/')
        disk = h.SmallDisk(4096)
        self.addCleanup(disk.close)
        client = h.ClientDir(os.path.join(disk.path, 'client'))
        tmp = os.path.join(disk.path, 'tmp')
        os.makedirs(tmp)
        alice = self.start_mount(url, 'alice', PASS, client_dir=client, options=['poll=150'], env={'TMPDIR': tmp})
        bob = self.start_mount(url, 'bob', PASS, options=['poll=150'])

        def post_mortem():
            return 'alice status: %r\nalice daemon:\n%s' % (h.read_status(alice, 'r'), alice.log_tail(20))

        with steps('three messages before the disk fills', post_mortem):
            os.mkdir(alice.path('r'))
            for i in range(3):
                h.append_line(alice.outbox('r'), 'early %d' % i)
            h.wait_for(lambda: len(log_entries(bob, 'r')) >= 3, 10)
        accepted = ['early %d' % i for i in range(3)]
        with steps('server stopped, disk filled, writes until ENOSPC', post_mortem), self.server.paused():
            disk.fill(leave_kib=48)
            fd = os.open(alice.outbox('r'), os.O_WRONLY | os.O_APPEND)
            refused = None
            try:
                for i in range(20000):
                    text = 'queued %d %s' % (i, 'x' * 60)
                    try:
                        os.write(fd, (text + '\n').encode())
                    except OSError as e:
                        refused = e
                        break
                    accepted.append(text)
            finally:
                os.close(fd)
            self.assertIsNotNone(refused, 'the spool never filled')
            self.assertEqual(refused.errno, errno.ENOSPC, refused)
            started = time.monotonic()
            status = h.read_status(alice, 'r')
            self.assertLess(time.monotonic() - started, 1.0, 'status waited for the stopped server')
            self.assertIn('No space left on device', status['local storage'])
            self.assertIn('No space left on device', status['last error'])
            self.assertTrue(status['state'].startswith('local storage failing: '), status['state'])
            # A last line without a newline that cannot be queued is reported, not dropped silently.
            subprocess.run(['sh', '-c', 'printf "unterminated tail" >> "$1"', '_', alice.outbox('r')],
                           timeout=10)
            h.wait_for(lambda: any(e[1] is None and 'was NOT sent' in e[2] for e in log_entries(alice, 'r')),
                       5, message='a notice about the unsent last line')
        with steps('server back: every accepted message arrives once', post_mortem):
            h.wait_for(lambda: len([e for e in log_entries(bob, 'r') if e[1]]) >= len(accepted), 30,
                       message='%d messages at bob' % len(accepted))
            got = [e[2] for e in log_entries(bob, 'r') if e[1] == 'alice']
            self.assertEqual(got, accepted)
        [room_dir] = h.room_dirs(self.server.local_path('chat'))

        def records_on_server():
            lines = []
            for path in h.writer_files(room_dir):
                with open(path, 'rb') as f:
                    lines += [x for x in f.read().split(b'\n') if x]
            return lines

        with steps('no second upload of what the server has (disk still full)', post_mortem):
            h.wait_for(lambda: h.read_status(alice, 'r')['messages pending'] == '0', 10)
            before = records_on_server()
            self.assertEqual(len(before), len(accepted))
            self.assertEqual(len(set(before)), len(before), 'duplicate records on the server')
            time.sleep(6)  # more than the sender's idle check
            after = records_on_server()
            self.assertEqual(after, before)
            self.assertEqual(h.read_status(bob, 'r')['duplicates dropped'], '0')
            print('[real world] full local disk: %d messages accepted, then ENOSPC; records on the '
                  'server %d right after the upload, %d six seconds later (%d distinct); duplicates '
                  'dropped by bob: 0' % (len(accepted), len(before), len(after), len(set(after))))
        with steps('space back: the error clears by itself', post_mortem):
            disk.free()
            h.wait_for(lambda: h.read_status(alice, 'r')['local storage'] == 'ok', 15)
            self.assertEqual(h.read_status(alice, 'r')['state'], 'ok')
            h.append_line(alice.outbox('r'), 'after the disk was freed')
            wait_for_text(bob, 'r', 'after the disk was freed')
        with steps('a full cache disk: messages arrive, without a flood of requests', post_mortem):
            disk.fill(leave_kib=0)
            retr_before = self.server.count_command('RETR')
            for i in range(3):
                h.append_line(bob.outbox('r'), 'from bob %d' % i)
            wait_for_text(alice, 'r', 'from bob 2')
            time.sleep(3)
            retrs = self.server.count_command('RETR') - retr_before
            self.assertLess(retrs, 20, 'RETRs while alice\'s cache disk is full')
            print('[real world] full cache disk: 3 messages from bob arrived once with %d RETRs '
                  'over about 4 s' % retrs)
            got = [e[2] for e in log_entries(alice, 'r') if e[1] == 'bob']
            self.assertEqual(got, ['from bob %d' % i for i in range(3)])
            disk.free()
        print('[real world] full local disk steps: %s' % steps.timeline())


class FullServerDisk(h.ServerTestCase):
    """vsftpd answers an upload to a full disk with an error reply (pyftpdlib 1.5.7 stops
    answering instead: SilentServer covers that)."""

    server_class = h.VsftpdServer

    def test_uploads_refused_by_a_full_server_show_in_status_and_recover(self):
        steps = h.Steps('full server disk')
        base = self.server.make_dir('chat')
        disk = h.SmallDisk(2048, owner=self.server.file_owner())
        self.addCleanup(disk.close)
        subprocess.run(['mount', '--bind', disk.path, base], check=True, timeout=10)
        self.addCleanup(lambda: subprocess.run(['umount', '-l', base], timeout=10))
        url = self.server.url('chat/')
        alice = self.start_mount(url, 'alice', PASS, options=['poll=150'])
        bob = self.start_mount(url, 'bob', PASS, options=['poll=150'])
        with steps('room and a first message'):
            os.mkdir(alice.path('r'))
            h.append_line(alice.outbox('r'), 'before')
            wait_for_text(bob, 'r', 'before')
        with steps('server disk full: status says so within seconds', lambda: alice.log_tail(10)):
            disk.fill()
            started = time.monotonic()
            for i in range(20):
                h.append_line(alice.outbox('r'), 'while full %d %s' % (i, 'y' * 200))
            status = h.wait_for(lambda: (lambda s: s if s['state'].startswith('cannot send: ') else None)(
                h.read_status(alice, 'r')), 5, message='state: cannot send')
            took = time.monotonic() - started
            self.assertRegex(status['send error'], r'No space left|[45]\d\d ', status['send error'])
            self.assertEqual(status['last error'], status['send error'].split(' (failing since')[0])
            print('[real world] full server disk seen in status after %.2f s: %s' % (took, status['send error']))
        with steps('space back: every message once, status clears'):
            disk.free()
            wait_for_text(bob, 'r', 'while full 19 ' + 'y' * 200, timeout=40)
            got = [e[2] for e in log_entries(bob, 'r') if e[1] == 'alice']
            self.assertEqual(got, ['before'] + ['while full %d %s' % (i, 'y' * 200) for i in range(20)])
            h.wait_for(lambda: h.read_status(alice, 'r')['state'] == 'ok', 10)
            self.assertEqual(h.read_status(alice, 'r')['send error'], 'none')


class SilentServer(h.ServerTestCase):
    def test_status_and_ls_answer_at_once_while_the_server_does_not(self):
        url = self.server.url('chat/')
        alice = self.start_mount(url, 'alice', PASS, options=['poll=150'])
        os.mkdir(alice.path('r'))
        h.append_line(alice.outbox('r'), 'hello')
        h.wait_for(lambda: h.read_status(alice, 'r')['messages pending'] == '0', 10)
        with self.server.paused():
            time.sleep(0.5)  # a poll is now waiting for an answer
            for what, call in (('cat status', lambda: h.read_status(alice, 'r')),
                               ('ls of the mount', lambda: os.listdir(alice.path())),
                               ('ls of the room', lambda: os.listdir(alice.path('r'))),
                               ('stat of log', lambda: os.stat(alice.log('r')))):
                started = time.monotonic()
                call()
                self.assertLess(time.monotonic() - started, 1.0, '%s waited for the server' % what)
            # Opening log syncs first, but waits for a silent server at most 2 s.
            started = time.monotonic()
            self.assertIn('hello', h.read_text(alice.log('r')))
            self.assertLess(time.monotonic() - started, 3.0, 'cat log waited for the server')
            status = h.wait_for(lambda: (lambda s: s if s['state'].startswith('waiting for the server') else None)(
                h.read_status(alice, 'r')), 10, message='state: waiting for the server')
            self.assertRegex(status['state'], r'no answer to the .* for \d+ s')
            self.assertEqual(sorted(os.listdir(alice.path())), ['r'])
        h.wait_for(lambda: h.read_status(alice, 'r')['state'] == 'ok', 40)


class Mono24Warnings(h.ServerTestCase):
    def test_the_room_says_it_is_not_secure_where_it_is_read(self):
        url = self.server.url('chat/')
        alice = self.start_mount(url, 'alice', PASS, options=['cipher=mono24'])
        os.mkdir(alice.path('old'))
        bob = self.start_mount(url, 'bob', PASS)
        for m in (alice, bob):
            status = h.read_status(m, 'old')
            self.assertTrue(status['cipher'].startswith('mono24 (NOT SECURE'), status['cipher'])
            notices = [e for e in log_entries(m, 'old') if e[1] is None]
            self.assertEqual(len(notices), 1, notices)
            self.assertIn('mono24, which is NOT SECURE', notices[0][2])
        os.mkdir(bob.path('new'))
        self.assertEqual(h.read_status(bob, 'new')['cipher'], 'xchacha20poly1305')
        self.assertEqual([e for e in log_entries(bob, 'new') if e[1] is None], [])


if __name__ == '__main__':
    unittest.main()
