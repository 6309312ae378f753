# Issue 3, hostile or broken data: each case edits the room's files on the server directly
# (server.data_dir) while real mounts run, then checks what readers see in ROOM/log (a single
# notice line, nothing shown twice, nothing already shown changed) and in ROOM/status.
import errno
import os
import time
import unittest

import chatharness as h

PASS = 'correct horse battery staple'


def read_bytes(path):
    with open(path, 'rb') as f:
        return f.read()


def lines_of(data):
    return [l for l in data.split(b'\n') if l]


class HostileData(h.ServerTestCase):
    def setUp(self):
        self.base = 'hostile-%s' % self._testMethodName
        self.url = self.server.url(self.base + '/')
        self.mounts = []

    def tearDown(self):
        for m in self.mounts:
            m.close()

    def mount(self, nick):
        m = h.Mount(self.url, nick, PASS, options=['poll=200'])
        self.mounts.append(m)
        m.start()
        return m

    def see_room(self, mount, room):
        h.wait_for(lambda: os.path.isdir(mount.path(room)), 10, message='room %s in %s' % (room, mount))

    def room_dir(self, mount, room):
        return os.path.join(self.server.data_dir, self.base, h.read_status(mount, room)['folder'])

    def writer_file(self, mount, room):
        """The server's file this mount's messages in `room` are in (its newest period's)."""
        h.wait_for(lambda: h.read_status(mount, room)['messages pending'] == '0', 10)
        path = h.find_writer_file(self.room_dir(mount, room), h.read_status(mount, room)['writer'])
        self.assertIsNotNone(path, 'no writer file of %s in room %s' % (mount, room))
        return path

    def append_raw(self, path, data):
        with open(path, 'ab') as f:
            f.write(data)

    def wait_log(self, mount, room, text, timeout=10):
        h.wait_for(lambda: text in h.read_text(mount.log(room)), timeout,
                   message='%r in the log of %s' % (text, mount))
        return h.read_text(mount.log(room))

    def test_flipped_byte_torn_record_and_garbage_are_skipped_with_one_notice(self):
        a, b = self.mount('alice'), self.mount('bob')
        os.mkdir(a.path('r'))
        h.append_line(a.outbox('r'), 'one')
        self.wait_log(b, 'r', '<alice> one')
        path = self.writer_file(a, 'r')
        record = lines_of(read_bytes(path))[-1]
        flipped = bytearray(record)
        flipped[len(flipped) // 2] ^= 0x01 if flipped[len(flipped) // 2] != ord('A') else 0x02
        self.append_raw(path, b'\n' + bytes(flipped) + b'\ngarbage line\n' + record[:40])  # torn tail
        h.append_line(a.outbox('r'), 'two')  # its "\n" closes the torn line
        log = self.wait_log(b, 'r', '<alice> two')
        h.wait_for(lambda: int(h.read_status(b, 'r')['records rejected']) >= 3, 5)
        log = h.read_text(b.log('r'))
        self.assertEqual(log.count('failed to decode or authenticate'), 1, log)
        self.assertEqual(log.count('<alice> one'), 1)
        self.assertEqual(h.read_status(b, 'r')['records rejected'], '3')
        self.assertEqual(h.read_status(b, 'r')['notices'], '1')
        self.assertIn('failed to decode or authenticate', b.log_text())  # the daemon's log too

    def test_replayed_record_and_gap(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        for text in ('first', 'second', 'third'):
            h.append_line(a.outbox('r'), text)
        path = self.writer_file(a, 'r')
        records = lines_of(read_bytes(path))
        self.assertEqual(len(records), 3)
        # Record two deleted, record one replayed at the end.
        with open(path, 'wb') as f:
            f.write(b'\n' + records[0] + b'\n\n' + records[2] + b'\n\n' + records[0] + b'\n')
        b = self.mount('bob')
        log = self.wait_log(b, 'r', '<alice> third')
        self.assertEqual(log.count('<alice> first'), 1)
        self.assertNotIn('<alice> second', log)
        self.assertIn('-!- 1 message(s) from a writer are missing', log)
        st = h.read_status(b, 'r')
        self.assertEqual((st['duplicates dropped'], st['messages missing']), ('1', '1'))

    def test_record_moved_into_another_writers_file_or_room_is_rejected(self):
        a, b = self.mount('alice'), self.mount('bob')
        os.mkdir(a.path('r'))
        os.mkdir(a.path('other'))
        self.see_room(b, 'r')
        h.append_line(a.outbox('r'), 'only here')
        h.append_line(b.outbox('r'), 'bob was here')
        self.wait_log(a, 'r', '<bob> bob was here')
        record = lines_of(read_bytes(self.writer_file(a, 'r')))[0]
        self.append_raw(self.writer_file(b, 'r'), b'\n' + record + b'\n')
        copy = h.writer_file_of(self.room_dir(a, 'other'), h.read_status(a, 'r')['writer'])
        os.makedirs(os.path.dirname(copy), exist_ok=True)
        with open(copy, 'wb') as f:
            f.write(b'\n' + record + b'\n')
        h.append_line(b.outbox('r'), 'after the copy')
        log = self.wait_log(a, 'r', '<bob> after the copy')
        self.assertEqual(log.count('only here'), 1)
        self.assertIn('failed to decode or authenticate', log)
        # (opening log syncs: a room nobody reads may be polled less often)
        h.wait_for(lambda: h.read_text(a.log('other')) is not None
                   and h.read_status(a, 'other')['records rejected'] == '1', 10)
        self.assertNotIn('only here', h.read_text(a.log('other')))

    def test_replaced_header_is_refused_and_broken_headers_do_not_stop_the_mount(self):
        a, b = self.mount('alice'), self.mount('bob')
        os.mkdir(a.path('r'))
        os.mkdir(a.path('a room with a longer name'))
        h.append_line(a.outbox('r'), 'before')
        seen = self.wait_log(b, 'r', '<alice> before')
        victim = self.room_dir(a, 'r')
        donor = self.room_dir(a, 'a room with a longer name')
        with open(os.path.join(donor, 'header'), 'rb') as f:
            foreign = f.read()
        with open(os.path.join(victim, 'header'), 'wb') as f:
            f.write(foreign)
        log = self.wait_log(b, 'r', '-!- the room header was replaced on the server')
        self.assertTrue(log.startswith(seen))
        self.assertTrue(h.read_status(b, 'r')['state'].startswith('read-only'))
        fd = os.open(b.outbox('r'), os.O_WRONLY | os.O_APPEND)
        try:
            with self.assertRaises(PermissionError):
                os.write(fd, b'into the hijacked room\n')
        finally:
            os.close(fd)
        # Truncated, empty and missing headers: those rooms are unreadable, the mount works.
        for name, data in (('1' * 32, foreign[:60]), ('2' * 32, b''), ('3' * 32, None),
                           ('4' * 32, None)):
            d = os.path.join(self.server.data_dir, self.base, name)
            os.makedirs(d)
            if data is not None:
                with open(os.path.join(d, 'header'), 'wb') as f:
                    f.write(data)
        # Rooms whose header was deleted: a writer file beside it (first edition) or in a period.
        base = os.path.join(self.server.data_dir, self.base)
        headless = {'4' * 32: os.path.join(base, '4' * 32, '5' * 32 + '.w'),
                    '6' * 32: h.writer_file_of(os.path.join(base, '6' * 32), '5' * 32)}
        for path in headless.values():
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(b'\nAAAA\n')
        c = self.mount('carol')
        names = os.listdir(c.path())
        self.assertNotIn('3' * 32, names)  # no header yet: a room being created
        # The hijacked folder: its header belongs to another room, so it is not opened.
        for broken in ('1' * 32, '2' * 32, os.path.basename(victim), *headless):
            self.assertIn(broken, names)
            with self.assertRaises(PermissionError):
                os.listdir(c.path(broken))
        for folder in headless:
            self.assertIn('header of room %s is missing' % folder, c.log_text())
        h.append_line(c.outbox('a room with a longer name'), 'still working')
        self.wait_log(a, 'a room with a longer name', '<carol> still working')

    def test_writer_file_truncated_or_rewritten_is_ignored_and_the_log_keeps_its_history(self):
        a, b = self.mount('alice'), self.mount('bob')
        os.mkdir(a.path('r'))
        self.see_room(b, 'r')
        h.append_line(a.outbox('r'), 'alice 1')
        h.append_line(b.outbox('r'), 'bob 1')
        seen_b = self.wait_log(b, 'r', '<alice> alice 1')
        seen_a = self.wait_log(a, 'r', '<bob> bob 1')
        alice_file = self.writer_file(a, 'r')
        with open(alice_file, 'r+b') as f:  # history cut
            f.truncate(os.path.getsize(alice_file) // 2)
        log = self.wait_log(b, 'r', 'shrank on the server')
        self.assertTrue(log.startswith(seen_b), log)
        bob_file = self.writer_file(b, 'r')
        data = bytearray(read_bytes(bob_file))
        data[-5] ^= 0x01  # bytes alice has already read change, then the file grows
        with open(bob_file, 'wb') as f:
            f.write(bytes(data))
        h.append_line(b.outbox('r'), 'bob 2')
        log = self.wait_log(a, 'r', 'was rewritten on the server')
        self.assertTrue(log.startswith(seen_a), log)
        time.sleep(0.5)
        self.assertNotIn('<bob> bob 2', h.read_text(a.log('r')))
        self.assertEqual(h.read_text(b.log('r')).count('shrank on the server'), 1)

    def test_oversized_message_fails_whole_with_emsgsize(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        fd = os.open(a.outbox('r'), os.O_WRONLY | os.O_APPEND)
        try:
            with self.assertRaises(OSError) as failed:
                os.write(fd, b'ok line\n' + b'x' * 70000 + b'\n')
            self.assertEqual(failed.exception.errno, errno.EMSGSIZE)
        finally:
            os.close(fd)
        self.assertIn('refused a message of 70000 bytes', a.log_text())
        time.sleep(0.5)
        self.assertEqual(h.read_status(a, 'r')['messages sent'], '0')


if __name__ == '__main__':
    unittest.main()
