# Issue 3, the outbox through real mounts on a real server (pyftpdlib): a write returns once the
# message is in the local spool file; fsync() on outbox returns once the spool is on disk, without
# waiting for the server; -o sync_send makes close() wait for the server (and fail when it does not
# answer); a daemon killed with SIGKILL, or unmounted with messages queued, sends them at the next
# mount of the same client dir; every message arrives exactly once (also from a writer streaming
# thousands of lines, issue 5); ROOM/status.
import ctypes
import errno
import os
import re
import stat
import time
import unittest

import chatharness as h

PASS = 'correct horse battery staple'


def messages(text, nick):
    return [l.split('> ', 1)[1] for l in text.splitlines() if ('<%s> ' % nick) in l]


def unsynced_pages(path):
    """Pages of `path` not yet on disk (dirty or under writeback), by cachestat(2) (Linux 6.5,
    number 451 everywhere); None where the kernel lacks it."""
    rng, st = (ctypes.c_uint64 * 2)(0, 0), (ctypes.c_uint64 * 5)()
    fd = os.open(path, os.O_RDONLY)
    try:
        rc = ctypes.CDLL(None, use_errno=True).syscall(451, fd, rng, st, 0)
    finally:
        os.close(fd)
    return None if rc != 0 else st[1] + st[2]


def spool_file(client):
    return [os.path.join(r, f) for r, _, fs in os.walk(client.state) for f in fs
            if re.match(r'spool-[0-9a-f]{32}$', f)][0]


class ReliabilityBasics(unittest.TestCase):
    def setUp(self):
        self.server = h.PyFtpdServer()
        self.server.start()
        self.url = self.server.url('chat/')
        self.mounts = []

    def tearDown(self):
        for m in self.mounts:
            m.close()
        self.server.close()

    def mount(self, nick, options=(), **kw):
        m = h.Mount(self.url, nick, PASS, options=['poll=200'] + list(options), **kw)
        self.mounts.append(m)
        m.start()
        return m

    def wait_messages(self, mount, room, nick, want, timeout=20):
        h.wait_for(lambda: len(messages(h.read_text(mount.log(room)), nick)) >= len(want), timeout,
                   message='%d message(s) from %s in %s' % (len(want), nick, mount))
        time.sleep(0.5)  # a duplicate would arrive with the next poll
        self.assertEqual(messages(h.read_text(mount.log(room)), nick), want)

    def test_status_file_reports_the_room(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        self.assertEqual(sorted(os.listdir(a.path('r'))), ['log', 'log.jsonl', 'outbox', 'status'])
        self.assertEqual(stat.S_IMODE(os.stat(a.path('r', 'status')).st_mode), 0o400)
        h.append_line(a.outbox('r'), 'hello')
        h.wait_for(lambda: h.read_status(a, 'r')['messages sent'] == '1', 10)
        st = h.read_status(a, 'r')
        for key in ('room', 'server', 'transport mode', 'writer', 'messages pending', 'messages sent',
                    'messages received', 'last sync', 'last error', 'records rejected',
                    'duplicates dropped', 'messages missing', 'bytes fetched', 'notices'):
            self.assertIn(key, st)
        self.assertEqual(st['room'], 'r')
        self.assertEqual(st['messages pending'], '0')
        self.assertEqual(st['last error'], 'none')
        self.assertRegex(st['writer'], r'^[0-9a-f]{32}$')
        self.assertRegex(st['last sync'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
        self.assertNotIn('secret', st['server'])  # the password is redacted
        with self.assertRaises(OSError):
            open(a.path('r', 'status'), 'w').close()

    def test_sync_send_waits_for_the_server_and_fails_when_it_is_down(self):
        a = self.mount('alice', ['sync_send', 'send_timeout=2'])
        os.mkdir(a.path('r'))
        h.append_line(a.outbox('r'), 'on the server at close')
        writers = [f for _, _, files in os.walk(os.path.join(self.server.data_dir, 'chat'))
                   for f in files if f.endswith('.w')]  # (in the room's period folder)
        self.assertEqual(len(writers), 1, 'close() returned before the append')
        self.server.stop()
        started = time.monotonic()
        fd = os.open(a.outbox('r'), os.O_WRONLY | os.O_APPEND)
        os.write(fd, b'sent while the server is down\n')  # returns once spooled
        with self.assertRaises(OSError) as failed:  # (shells ignore close() errors; we do not)
            os.close(fd)
        self.assertEqual(failed.exception.errno, errno.ETIMEDOUT)
        self.assertGreaterEqual(time.monotonic() - started, 1.9)
        self.assertLess(time.monotonic() - started, 15)
        self.assertEqual(h.read_status(a, 'r')['messages pending'], '1')
        self.assertNotEqual(h.read_status(a, 'r')['last error'], 'none')
        self.server.start()
        b = self.mount('bob')
        self.wait_messages(b, 'r', 'alice', ['on the server at close', 'sent while the server is down'], 40)
        h.wait_for(lambda: h.read_status(a, 'r')['messages pending'] == '0', 10)

    def test_sigkill_with_spooled_messages_then_remount_delivers_each_once(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        h.append_line(a.outbox('r'), 'before the outage')
        h.wait_for(lambda: h.read_status(a, 'r')['messages sent'] == '1', 10)
        self.server.stop()
        want = ['before the outage'] + ['spooled %d' % i for i in range(5)]
        for text in want[1:]:
            started = time.monotonic()
            h.append_line(a.outbox('r'), text)  # returns once on local disk
            self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(h.read_status(a, 'r')['messages pending'], '5')
        self.assertEqual(messages(h.read_text(a.log('r')), 'alice'), want)  # local echo
        a.kill()
        self.server.start()
        again = self.mount('alice', client_dir=a.client)
        b = self.mount('bob')
        self.wait_messages(b, 'r', 'alice', want, 40)
        self.wait_messages(again, 'r', 'alice', want, 10)
        self.assertIn('5 message(s) queued from an earlier session are being sent', again.log_text())
        self.assertEqual(h.read_status(again, 'r')['messages pending'], '0')

    def test_fsync_on_outbox_puts_the_spool_on_disk_without_the_server(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        h.append_line(a.outbox('r'), 'before the outage')
        h.wait_for(lambda: h.read_status(a, 'r')['messages sent'] == '1', 10)
        self.server.stop()
        h.append_line(a.outbox('r'), 'queued')
        h.wait_for(lambda: h.read_status(a, 'r')['last error'] != 'none', 10)
        # Retries at 0.25, 0.75, 1.75, 3.75, 7.75 s: from 4 s on the sender is in its backoff
        # and does not sync the spool itself (each attempt syncs before trying the server).
        time.sleep(4.2)
        fd = os.open(a.outbox('r'), os.O_WRONLY | os.O_APPEND)
        os.write(fd, b'on local disk\n')
        started = time.monotonic()
        os.fsync(fd)  # the server is not waited for (no sync_send)
        self.assertLess(time.monotonic() - started, 3)
        unsynced = unsynced_pages(spool_file(a.client))
        if unsynced is not None:
            self.assertEqual(unsynced, 0, 'fsync() returned with the spool not on disk')
        os.fdatasync(fd)
        os.close(fd)
        self.assertEqual(h.read_status(a, 'r')['messages pending'], '2')
        self.server.start()
        b = self.mount('bob')
        self.wait_messages(b, 'r', 'alice', ['before the outage', 'queued', 'on local disk'], 40)

    def test_a_streaming_writer_with_fsync_delivers_every_line_once_in_order(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        want = ['stream %d' % i for i in range(5000)]
        fd = os.open(a.outbox('r'), os.O_WRONLY | os.O_APPEND)
        for i, text in enumerate(want):
            os.write(fd, text.encode() + b'\n')  # one write() per line
            if i % 1000 == 999:
                os.fsync(fd)  # raises on failure
        os.close(fd)
        b = self.mount('bob')
        self.wait_messages(b, 'r', 'alice', want, 120)
        self.wait_messages(a, 'r', 'alice', want, 10)  # the local echo, no copy from the server
        h.wait_for(lambda: h.read_status(a, 'r')['messages pending'] == '0', 20)
        self.assertEqual(h.read_status(a, 'r')['messages sent'], '5000')

    def test_unmount_with_queued_messages_sends_them_at_the_next_mount(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        h.append_line(a.outbox('r'), 'first')
        h.wait_for(lambda: h.read_status(a, 'r')['messages sent'] == '1', 10)
        self.server.stop()
        h.append_line(a.outbox('r'), 'queued 1')
        h.append_line(a.outbox('r'), 'queued 2')
        self.assertEqual(a.unmount(), 0)
        self.assertRegex(a.log_text(), r'2 message\(s\) not sent yet; they stay queued')
        self.server.start()
        again = self.mount('alice', client_dir=a.client)
        b = self.mount('bob')
        self.wait_messages(b, 'r', 'alice', ['first', 'queued 1', 'queued 2'], 40)
        self.assertIn('2 message(s) queued from an earlier session are being sent', again.log_text())
        spool = [os.path.join(r, f) for r, _, fs in os.walk(a.client.state) for f in fs
                 if re.match(r'spool-[0-9a-f]{32}$', f)]
        self.assertTrue(spool)
        for path in spool:
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)


if __name__ == '__main__':
    unittest.main()
