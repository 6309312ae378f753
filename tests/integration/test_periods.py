# Period folders (docs/FORMAT.md, "Periods") through real mounts on pyftpdlib: a first-edition
# room (writer files beside the header) is read in full by a fresh mount and grows in a period
# folder with each writer's seq running on; a quiet mount reads every period at its first sync,
# then polls list only the newest period, the room folder and older periods only in the
# occasional full sync (pyftpdlib's command log shows every LIST).
#   cd tests/integration && FTPCHATFS_BIN=... PYTHONPATH=../harness \
#     /usr/bin/python3 -m unittest -v test_periods
import os
import shutil
import time
import unittest

import chatharness as h

PASS = 'correct horse battery staple'
WINDOW = 16         # seconds of steady polls watched
FAST_POLL_MS = 250  # the default -o poll
HEADER_CHECK_EVERY = 30  # src/room/room.cpp kHeaderCheckEvery: every 30th sync is a full one


def damage(mount, room):
    """(records rejected, messages missing, duplicates dropped) from ROOM/status."""
    st = h.read_status(mount, room)
    return st['records rejected'], st['messages missing'], st['duplicates dropped']


def messages(mount, room):
    """The log's lines without their time stamps: ['<alice> a1', ...]."""
    return [line.split(' ', 2)[2] for line in h.read_text(mount.log(room)).splitlines()]


class Periods(h.ServerTestCase):
    def setUp(self):
        self.base = 'periods-%s' % self._testMethodName
        self.url = self.server.url(self.base + '/')

    def mount(self, nick, client=None, options=('poll=200',)):
        return self.start_mount(self.url, nick, PASS, client_dir=client or h.ClientDir(),
                                options=list(options))

    def send_and_unmount(self, m, room, *texts):
        for text in texts:
            h.append_line(m.outbox(room), text)
        h.wait_for(lambda: h.read_status(m, room)['messages pending'] == '0', 10)
        writer = h.read_status(m, room)['writer']
        self.assertEqual(m.unmount(), 0)
        return writer

    def room_dir(self):
        [room_dir] = h.room_dirs(os.path.join(self.server.data_dir, self.base))
        return room_dir

    def test_first_edition_room_is_read_in_full_and_grows_in_a_period(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        b = self.mount('bob')
        h.wait_for(lambda: os.path.isdir(b.path('r')), 10)
        alice = self.send_and_unmount(a, 'r', 'a1', 'a2')
        self.send_and_unmount(b, 'r', 'b1', 'b2', 'b3')
        # The room as a reader of the first edition wrote it: writer files beside the header.
        room_dir = self.room_dir()
        for period in h.period_folders(room_dir):
            for f in os.listdir(os.path.join(room_dir, period)):
                os.rename(os.path.join(room_dir, period, f), os.path.join(room_dir, f))
            os.rmdir(os.path.join(room_dir, period))
        first_edition = h.writer_files(room_dir)
        self.assertEqual([os.path.dirname(f) for f in first_edition], [room_dir] * 2)
        want = ['<alice> a1', '<alice> a2', '<bob> b1', '<bob> b2', '<bob> b3']

        c = self.mount('carol')
        self.assertEqual(messages(c, 'r'), want)
        self.assertEqual(damage(c, 'r'), ('0', '0', '0'))
        # alice again (same writer): her next message goes to a period folder, its seq after
        # those in her first-edition file, so no reader takes it for a replay.
        sizes = {f: os.path.getsize(f) for f in first_edition}
        a = self.mount('alice', client=a.client)
        h.append_line(a.outbox('r'), 'a3')
        h.wait_for(lambda: h.read_status(a, 'r')['messages pending'] == '0', 10)
        self.assertEqual({f: os.path.getsize(f) for f in first_edition}, sizes)
        self.assertTrue(os.path.exists(h.writer_file_of(room_dir, alice)), h.writer_files(room_dir))
        h.wait_for(lambda: messages(c, 'r') == want + ['<alice> a3'], 10,
                   message='a3 after the first-edition history in carol\'s log')
        d = self.mount('dave')
        self.assertEqual(messages(d, 'r'), want + ['<alice> a3'])
        for m in (c, d):
            self.assertEqual(damage(m, 'r'), ('0', '0', '0'), m)

    def test_a_quiet_mount_lists_only_the_newest_period(self):
        now = time.time()
        if h.current_period(now - 360) != h.current_period(now + 360):
            self.skipTest('within 6 minutes of a change of month: every poll is a full one then')
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        b, c = self.mount('bob'), self.mount('carol')
        h.wait_for(lambda: os.path.isdir(b.path('r')) and os.path.isdir(c.path('r')), 10)
        self.send_and_unmount(a, 'r', 'a1')
        bob = self.send_and_unmount(b, 'r', 'b1')
        carol = self.send_and_unmount(c, 'r', 'c1')
        # Three periods: carol's file two months back, bob's one month back, alice's in this one.
        room_dir = self.room_dir()
        newest = h.current_period()
        older = [h.period_before(newest, 2), h.period_before(newest, 1)]
        for writer, period in ((carol, older[0]), (bob, older[1])):
            os.mkdir(os.path.join(room_dir, period))
            shutil.move(h.writer_file_of(room_dir, writer, newest),
                        h.writer_file_of(room_dir, writer, period))
        self.assertEqual(h.period_folders(room_dir), older + [newest])

        room = os.path.relpath(room_dir, self.server.data_dir)
        paths = {room: 'room folder', older[0]: older[0], older[1]: older[1], newest: newest}
        paths = {k if k == room else room + '/' + k: v for k, v in paths.items()}

        def listed(since):
            """What each listing (STAT, or LIST checking it) after command `since` was of
            ('room folder', a period, or None)."""
            out = []
            for cmd in self.server.commands()[since:]:
                verb, _, arg = cmd.partition(' ')
                if verb.upper() in ('STAT', 'LIST', 'MLSD', 'NLST'):
                    out.append(paths.get(arg.strip().rstrip('/'), None))
            return out

        mark = len(self.server.commands())
        q = self.mount('quiet', options=())
        self.assertEqual(sorted(messages(q, 'r')), ['<alice> a1', '<bob> b1', '<carol> c1'])
        first = listed(mark)
        self.assertIn('room folder', first)
        in_order = [p for p in first if p in older + [newest]]
        self.assertEqual(in_order[:3], older + [newest],
                         'the first sync reads every period, oldest first')

        mark = len(self.server.commands())
        time.sleep(WINDOW)
        window = listed(mark)
        polls = window.count(newest)
        full = window.count('room folder')
        print('\n[periods] %d s of polls: %d listings of the newest period, %d of the room folder, '
              '%d of %s, %d of %s, %d others'
              % (WINDOW, polls, full, window.count(older[1]), older[1], window.count(older[0]),
                 older[0], window.count(None)))
        self.assertGreaterEqual(polls, WINDOW * 1000 // FAST_POLL_MS // 2, 'steady polls')
        self.assertEqual(window.count(older[0]), 0, 'an old period listed after the first sync')
        # A full sync lists the room folder and the two newest periods: at least once a minute,
        # and every 30th sync (the pinned header's check).
        self.assertLessEqual(full, 1 + polls // HEADER_CHECK_EVERY, window)
        self.assertEqual(window.count(older[1]), full, window)


if __name__ == '__main__':
    unittest.main()
