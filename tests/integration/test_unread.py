# Seen and unread through real mounts (issue 13): reads of ROOM/log and ROOM/log.jsonl mark
# messages seen, `unread:` in ROOM/status and MOUNT/.unread count the others, a remount
# remembers, O_NOATIME peeks, and a full state disk breaks no read.
import os
import subprocess
import time

import chatharness as h

PASS = 'correct horse battery staple'


def unread(mount, room):
    return int(h.read_status(mount, room)['unread'])


def root_unread(mount):
    return h.read_text(os.path.join(mount.mountpoint, '.unread'))


def received(mount, room):
    return int(h.read_status(mount, room)['messages received'])


def peek(path):
    """Reads the whole file through a descriptor opened with O_NOATIME (a peek)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOATIME)
    try:
        data = b''
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return data
            data += chunk
    finally:
        os.close(fd)


class Unread(h.ServerTestCase):
    def setUp(self):
        self.url = self.server.url('chat-%s/' % self._testMethodName)

    @staticmethod
    def post_mortem(mount):
        return lambda: 'status: %r\ndaemon:\n%s' % (h.read_status(mount, 'r'), mount.log_tail(20))

    def test_reads_mark_seen_a_remount_remembers_and_the_root_file_lists_rooms(self):
        steps = h.Steps('unread')
        alice = self.start_mount(self.url, 'alice', PASS, options=['poll=150'])
        bob_client = h.ClientDir()
        bob = self.start_mount(self.url, 'bob', PASS, client_dir=bob_client, options=['poll=150'])
        post_mortem = self.post_mortem(bob)

        with steps('three messages from alice are unread at bob', post_mortem):
            os.mkdir(alice.path('r'))
            for i in range(3):
                h.append_line(alice.outbox('r'), 'hello %d' % i)
            h.wait_for(lambda: unread(bob, 'r') == 3, 10, message='unread: 3 at bob')
            self.assertEqual(root_unread(bob), '3 r\n')
            self.assertEqual(os.listdir(bob.mountpoint), ['r'])  # not listed: the root lists rooms
            self.assertEqual(h.read_status(bob, 'r')['nick'], 'bob')
            self.assertEqual(unread(alice, 'r'), 0)  # her own
            self.assertEqual(root_unread(alice), '')
        with steps('a peek (O_NOATIME) marks nothing', post_mortem):
            log = peek(bob.log('r'))
            self.assertEqual(log.count(b'\n'), 3)
            self.assertEqual(unread(bob, 'r'), 3)
        with steps('the first line read with dd, then tail: unread 2, then 0', post_mortem):
            first = log.index(b'\n') + 1
            subprocess.run(['dd', 'if=' + bob.log('r'), 'bs=%d' % first, 'count=1', 'status=none'],
                           check=True, capture_output=True, timeout=10)
            self.assertEqual(unread(bob, 'r'), 2)
            out = subprocess.run(['tail', '-n', '1', bob.log('r')], check=True, capture_output=True,
                                 timeout=10).stdout
            self.assertIn(b'hello 2', out)
            self.assertEqual(unread(bob, 'r'), 0)
            self.assertEqual(root_unread(bob), '')
        with steps('remount: still 0 after the history is read again', post_mortem):
            bob.unmount()
            bob.start()
            h.wait_for(lambda: received(bob, 'r') >= 3, 10, message='history at the remount')
            self.assertEqual(unread(bob, 'r'), 0)
            self.assertEqual(root_unread(bob), '')
        with steps('a new message from the other mount: 1, and the root file lists the room', post_mortem):
            h.append_line(alice.outbox('r'), 'news')
            h.wait_for(lambda: unread(bob, 'r') == 1, 10, message='unread: 1 at bob')
            self.assertEqual(root_unread(bob), '1 r\n')
        with steps('O_NOATIME cleared with fcntl: that read counts', post_mortem):
            import fcntl
            fd = os.open(bob.log('r'), os.O_RDONLY | os.O_NOATIME)
            try:
                size = os.fstat(fd).st_size
                os.pread(fd, 1, size - 1)
                self.assertEqual(unread(bob, 'r'), 1)
                fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NOATIME)
                os.pread(fd, 1, size - 1)
                self.assertEqual(unread(bob, 'r'), 0)
            finally:
                os.close(fd)
        with steps('log.jsonl read with cat marks seen too', post_mortem):
            h.append_line(alice.outbox('r'), 'more news')
            h.wait_for(lambda: unread(bob, 'r') == 1, 10, message='unread: 1 at bob')
            out = subprocess.run(['cat', bob.path('r', 'log.jsonl')], check=True, capture_output=True,
                                 timeout=10).stdout
            self.assertIn(b'more news', out)
            self.assertEqual(unread(bob, 'r'), 0)
        with steps('two rooms, and the root file answers at once with the server stopped', post_mortem):
            os.mkdir(alice.path('s p'))  # a space in the name: "COUNT NAME" keeps it whole
            h.append_line(alice.outbox('s p'), 'elsewhere')
            h.append_line(alice.outbox('r'), 'again')
            h.wait_for(lambda: root_unread(bob) == '1 r\n1 s p\n', 15, message='two rooms in .unread')
            with self.server.paused():
                started = time.monotonic()
                self.assertEqual(root_unread(bob), '1 r\n1 s p\n')
                self.assertLess(time.monotonic() - started, 1.0, '.unread waited for the server')

    def test_a_full_state_disk_breaks_no_read_and_keeps_what_was_seen(self):
        steps = h.Steps('unread on a full disk')
        disk = h.SmallDisk(4096)
        self.addCleanup(disk.close)
        bob_client = h.ClientDir(os.path.join(disk.path, 'client'))
        alice = self.start_mount(self.url, 'alice', PASS, options=['poll=150'])
        bob = self.start_mount(self.url, 'bob', PASS, client_dir=bob_client, options=['poll=150'])
        post_mortem = self.post_mortem(bob)

        with steps('a first message read while there is room: the seen file exists', post_mortem):
            os.mkdir(alice.path('r'))
            h.append_line(alice.outbox('r'), 'before')
            h.wait_for(lambda: unread(bob, 'r') == 1, 10, message='unread: 1 at bob')
            h.read_text(bob.log('r'))
            self.assertEqual(unread(bob, 'r'), 0)
            bob.unmount()  # writes the seen file
            bob.start()
        with steps('disk full: reads work and count', post_mortem):
            disk.fill()
            for i in range(3):
                h.append_line(alice.outbox('r'), 'while full %d' % i)
            h.wait_for(lambda: unread(bob, 'r') == 3, 10, message='unread: 3 at bob')
            text = h.read_text(bob.log('r'))
            self.assertIn('while full 2', text)
            self.assertEqual(unread(bob, 'r'), 0)
            self.assertLess(disk.free_bytes(), 4096)
        with steps('remount on the full disk: the marks moved in place, nothing unread', post_mortem):
            bob.unmount()
            bob.start()
            h.wait_for(lambda: received(bob, 'r') >= 4, 10, message='history at the remount')
            self.assertEqual(unread(bob, 'r'), 0)
            self.assertIn('while full 2', h.read_text(bob.log('r')))


if __name__ == '__main__':
    import unittest
    unittest.main()
