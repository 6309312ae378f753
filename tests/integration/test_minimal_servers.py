# Minimal and odd FTP servers through real mounts: pyftpdlib with commands removed (the
# server answers 500 and leaves them out of FEAT), with DOS/IIS-style LIST and with a STAT
# that lists nothing useful, and vsftpd refusing passive data connections. Checks that the
# client degrades (rewrite without APPE, whole-file fetch without REST, LIST without STAT,
# active data connections without passive ones), shows the mode in ROOM/status, probes once
# per mount, and never loses or duplicates a message; and, on pyftpdlib as it comes, that an
# idle poll is one STAT on the control connection and transfers never switch TYPE.
import os
import unittest

import chatharness as h
from chat_scenarios import PASS, server_bytes


def named(commands, name):
    return [c for c in commands if c.split(' ', 1)[0].upper() == name]


class MinimalServerCase(unittest.TestCase):
    disabled = ()
    dos_list = False
    stat_status = False
    base = 'chat/'

    @classmethod
    def setUpClass(cls):
        cls.server = h.PyFtpdServer(disabled_commands=cls.disabled, dos_list=cls.dos_list,
                                    stat_status=cls.stat_status)
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
        self.assertEqual(h.read_status(a, 'r')['transport mode'], 'rewrite (server lacks APPE), listing by STAT')
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
        self.assertEqual(h.read_status(b, 'r')['transport mode'],
                         'append, full fetch (server lacks REST), listing by STAT')
        self.assertLessEqual(self.server.count_command('REST'), 2, 'REST tried once per mount')


class DosListingAndOddNames(MinimalServerCase):
    dos_list = True
    base = 'chat dir ü #1/'

    def test_dos_listing_and_a_base_folder_with_spaces_and_utf8(self):
        a, b = self.exchange(rounds=2)
        self.assertEqual(os.listdir(b.path()), ['r'])
        self.assertEqual(h.read_status(a, 'r')['transport mode'], 'append, listing by STAT')
        self.assertTrue(h.writer_files_under(self.server.local_path(self.base)))


class StatListings(MinimalServerCase):
    """pyftpdlib as it comes: STAT lists folders once one LIST agreed (per connection)."""

    def test_idle_polls_are_one_stat_each_and_transfers_never_switch_type(self):
        a, b = self.exchange(rounds=3)
        steps = h.Steps(type(self).__name__)
        for m in (a, b):
            self.assertEqual(h.read_status(m, 'r')['transport mode'], 'append, listing by STAT')
        with steps('everything sent and fetched back, then eight polls'):
            h.wait_for(lambda: h.read_status(a, 'r')['messages pending'] == '0', 10)
            start = len(self.server.commands())
            h.wait_for(lambda: len(named(self.server.commands()[start:], 'STAT')) >= 8, 10,
                       message='8 STATs')
        with steps('eight more polls, idle: nothing but STAT'):
            start = len(self.server.commands())
            h.wait_for(lambda: len(named(self.server.commands()[start:], 'STAT')) >= 8, 10,
                       message='8 STATs')
            idle = self.server.commands()[start:]
            self.assertEqual([c for c in idle if not c.upper().startswith('STAT ')], [],
                             'idle polls open no data connection')
        with steps('one more message from alice reaches bob'):
            start = len(self.server.commands())
            h.append_line(a.outbox('r'), 'after the quiet')
            h.wait_for(lambda: '<alice> after the quiet' in h.read_text(b.log('r')), 10)
            h.wait_for(lambda: h.read_status(a, 'r')['messages pending'] == '0', 10)
            busy = self.server.commands()[start:]
        self.assertTrue(named(busy, 'APPE') and named(busy, 'RETR'), busy)
        for name in ('TYPE', 'LIST', 'SIZE'):
            self.assertEqual(named(busy, name), [], 'a send and its fetch: binary already, no LIST, '
                             'REST without SIZE: %s' % busy)
        self.assertTrue(named(busy, 'REST'), 'bob reads from where he was: %s' % busy)


class ListFallback:
    """A server without a usable STAT listing: listings go by LIST after one STAT per mount."""
    expected_mode = None

    def test_listings_go_by_list_after_one_try(self):
        _, b = self.exchange()
        self.assertEqual(h.read_status(b, 'r')['transport mode'], self.expected_mode)
        self.assertLessEqual(self.server.count_command('STAT'), self.server.logins(), 'STAT tried once per mount')


class WithoutStat(ListFallback, MinimalServerCase):
    disabled = ('STAT',)
    expected_mode = 'append, listing by LIST (server lacks STAT (500))'


class StatAnsweringTheServersStatus(ListFallback, MinimalServerCase):
    stat_status = True
    expected_mode = 'append, listing by LIST (STAT answers without a listing)'


class ActiveModeOnVsftpd(MinimalServerCase):
    """vsftpd refusing passive data connections (pasv_enable=NO): alice asks for active ones
    on ports of her own (-o active=127.0.0.1:LO-HI), bob learns them at his first transfer."""

    @classmethod
    def setUpClass(cls):
        cls.server = h.VsftpdServer(extra_config=['pasv_enable=NO'])
        cls.server.start()
        cls.ports = h.free_port_range(20)  # an upload's port waits a minute in TIME_WAIT

    def mount(self, nick, **kw):
        options = ['poll=200']
        if nick == 'alice':
            options.append('active=127.0.0.1:%d-%d' % self.ports)
        m = h.Mount(self.url, nick, PASS, options=options, **kw)
        self.mounts.append(m)
        m.start()
        return m

    def test_messages_flow_over_active_data_connections(self):
        a, b = self.exchange()
        self.assertEqual(h.read_status(a, 'r')['transport mode'], 'append, listing by STAT, active (-o active)')
        self.assertEqual(h.read_status(b, 'r')['transport mode'],
                         'append, listing by STAT, active (server refused passive)')
        log = h.read_text(self.server.protocol_log)
        self.assertRegex(log, r'"EPRT \|1\|127\.0\.0\.1\|(%s)\|"' % '|'.join(
            str(p) for p in range(self.ports[0], self.ports[1] + 1)), 'alice listens on her ports')
        self.assertIn('"550 Permission denied."', log, 'vsftpd refused passive')


if __name__ == '__main__':
    unittest.main()
