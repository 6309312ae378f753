# Minimal and odd FTP servers through real mounts: pyftpdlib with commands removed (the
# server answers 500 and leaves them out of FEAT) and with DOS/IIS-style LIST. Checks that the
# client degrades (rewrite without APPE, whole-file fetch without REST), shows the mode in
# ROOM/status, probes once per mount, and never loses or duplicates a message.
import os
import unittest

import chatharness as h
from chat_scenarios import PASS, server_bytes


class MinimalServerCase(unittest.TestCase):
    disabled = ()
    dos_list = False
    base = 'chat/'

    @classmethod
    def setUpClass(cls):
        cls.server = h.PyFtpdServer(disabled_commands=cls.disabled, dos_list=cls.dos_list)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.url = self.server.url(self.base)
        self.mounts = []

    def tearDown(self):
        for m in self.mounts:
            m.close()

    def mount(self, nick, **kw):
        m = h.Mount(self.url, nick, PASS, options=['poll=200'], **kw)
        self.mounts.append(m)
        m.start()
        return m

    def exchange(self, rounds=3):
        """a sends `rounds` batches of 2 lines, b checks each arrives exactly once, in order.
        A failure names the round and the check, with timings, alice's status and both
        daemons' logs."""
        steps = h.Steps(type(self).__name__)
        with steps('mount alice, mkdir r, mount bob'):
            a = self.mount('alice')
            os.mkdir(a.path('r'))
            b = self.mount('bob')

        def post_mortem():
            return ('alice status: %r\nalice log: %r\nalice daemon:\n%s\nbob daemon:\n%s'
                    % (h.read_status(a, 'r'), h.read_text(a.log('r')).splitlines()[-6:],
                       a.log_tail(15), b.log_tail(15)))

        want = []
        for i in range(rounds):
            with steps('round %d: echo 2 lines into alice\'s outbox' % i, post_mortem):
                for j in range(2):
                    h.append_line(a.outbox('r'), 'round %d line %d' % (i, j))
                    want.append('<alice> round %d line %d' % (i, j))
            with steps('round %d: alice\'s own log shows them' % i, post_mortem):
                h.wait_for(lambda: len(h.read_text(a.log('r')).splitlines()) >= len(want), 10,
                           message='%d lines in alice\'s log' % len(want))
            with steps('round %d: bob\'s log shows them' % i, post_mortem):
                h.wait_for(lambda: len(h.read_text(b.log('r')).splitlines()) >= len(want), 10,
                           message='%d lines in bob\'s log' % len(want))
            with steps('round %d: bob has each line once, in order' % i, post_mortem):
                got = [line.split(' ', 2)[2] for line in h.read_text(b.log('r')).splitlines()]
                self.assertEqual(got, want)
        return a, b


class WithoutAppe(MinimalServerCase):
    disabled = ('APPE',)

    def test_sends_rewrite_the_writers_file_and_readers_see_every_message_once(self):
        appe_before = self.server.count_command('APPE')
        a, _ = self.exchange()
        h.wait_for(lambda: h.read_status(a, 'r')['messages pending'] == '0', 10)
        self.assertEqual(h.read_status(a, 'r')['transport mode'], 'rewrite (server lacks APPE)')
        self.assertEqual(self.server.count_command('APPE') - appe_before, 1, 'APPE tried once per mount')
        self.assertGreaterEqual(self.server.count_command('RNTO'), 3)
        self.assertEqual([p for p in server_bytes(self.server) if '.tmp-' in p], [])
        [room_dir] = h.room_dirs(self.server.local_path(self.base))
        writers = h.writer_files(room_dir)
        self.assertEqual(writers, [h.find_writer_file(room_dir, h.read_status(a, 'r')['writer'])])
        self.assertIn(os.path.basename(os.path.dirname(writers[0])), h.period_folders(room_dir))


class WithoutRestAndSize(MinimalServerCase):
    disabled = ('REST', 'SIZE')

    def test_reads_fetch_whole_files_and_skip_known_bytes(self):
        _, b = self.exchange(rounds=4)
        self.assertEqual(h.read_status(b, 'r')['transport mode'], 'append, full fetch (server lacks REST)')
        self.assertLessEqual(self.server.count_command('REST'), 2, 'REST tried once per mount')


class DosListingAndOddNames(MinimalServerCase):
    dos_list = True
    base = 'chat dir ü #1/'

    def test_dos_listing_and_a_base_folder_with_spaces_and_utf8(self):
        a, b = self.exchange(rounds=2)
        self.assertEqual(os.listdir(b.path()), ['r'])
        self.assertEqual(h.read_status(a, 'r')['transport mode'], 'append')
        self.assertTrue(h.writer_files_under(self.server.local_path(self.base)))


if __name__ == '__main__':
    unittest.main()
