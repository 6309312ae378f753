# The core scenarios of ftpchatfs through real FUSE mounts against a real FTP server
# (pyftpdlib), driven with the tools users use: mkdir, echo >>, printf, cat, tail -f.
# The exchange, remount and concurrency scenarios live in chat_scenarios.ChatScenarios, which
# test_compat.py runs on every other server kind.
import os
import stat
import subprocess
import unittest

import chatharness as h
from chat_scenarios import PASS, ChatScenarios, server_bytes


def sh(script, *args, check=True, timeout=30):
    return subprocess.run(['sh', '-c', script, 'sh'] + list(args), capture_output=True, text=True,
                          check=check, timeout=timeout)


class CoreScenarios(ChatScenarios, unittest.TestCase):
    concurrent_count = 100

    @classmethod
    def make_server(cls):
        return h.PyFtpdServer()

    def test_outbox_takes_printf_cat_and_a_last_line_without_newline(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        src = os.path.join(a.dir, 'lines.txt')
        with open(src, 'w') as f:
            f.write('from a file 1\nfrom a file 2\n')
        sh('printf "one\\ntwo\\n\\nthree" >> "$1"', a.outbox('r'))
        sh('cat "$1" >> "$2"', src, a.outbox('r'))
        b = self.mount('bob')
        want = ['<alice> one', '<alice> two', '<alice> three', '<alice> from a file 1',
                '<alice> from a file 2']
        h.wait_for(lambda: len(h.read_text(b.log('r')).splitlines()) >= 5, 10)
        got = [line.split(' ', 2)[2] for line in h.read_text(b.log('r')).splitlines()]
        self.assertEqual(got, want)
        self.assertEqual(h.read_text(a.outbox('r')) if os.access(a.outbox('r'), os.R_OK) else '', '')

    def test_no_file_on_the_server_holds_plaintext(self):
        a = self.mount('alice-the-nick')
        os.mkdir(a.path('secret-room-name'))
        h.append_line(a.outbox('secret-room-name'), 'the eagle lands at midnight')
        files = server_bytes(self.server)
        self.assertTrue(any(p.endswith('header') for p in files))
        for path, data in files.items():
            for clear in (b'secret-room-name', b'alice-the-nick', b'eagle', b'midnight'):
                self.assertNotIn(clear, path.encode())
                self.assertNotIn(clear, data)

    def test_wrong_passphrase_fails_and_writes_nothing(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        h.append_line(a.outbox('r'), 'private')
        # Sending is asynchronous (the outbox spools): wait until the server has it.
        h.wait_for(lambda: 'messages pending: 0' in h.read_text(a.path('r', 'status')), 10)
        before = server_bytes(self.server)
        m = h.Mount(self.url, 'mallory', 'not the passphrase', foreground=False)
        self.mounts.append(m)
        result = m.start(check=False)
        self.assertFalse(result.mounted)
        self.assertEqual(result.returncode, 6)
        self.assertIn('passphrase', result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()[-1:]), 1)
        self.assertEqual(server_bytes(self.server), before)

    def test_rooms_mkdir_exists_rmdir_refused_and_modes(self):
        a = self.mount('alice')
        os.mkdir(a.path('general'))
        with self.assertRaises(FileExistsError):
            os.mkdir(a.path('general'))
        b = self.mount('bob')
        with self.assertRaises(FileExistsError):
            os.mkdir(b.path('general'))
        with self.assertRaises(PermissionError):
            os.rmdir(a.path('general'))
        self.assertEqual(stat.S_IMODE(os.stat(a.path('general')).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(a.log('general')).st_mode), 0o400)
        self.assertEqual(stat.S_IMODE(os.stat(a.outbox('general')).st_mode), 0o200)
        self.assertEqual(sorted(os.listdir(a.path('general'))), ['log', 'log.jsonl', 'outbox', 'status'])
        with self.assertRaises(OSError):
            with open(a.log('general'), 'w'):
                pass

    def test_terminal_escapes_in_messages_are_rendered_harmless(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        with open(a.outbox('r'), 'ab') as f:
            f.write(b'red \x1b[31malert\x1b[0m bell\x07 bad \xff\xfe utf8 caf\xc3\xa9\n')
        text = h.read_text(a.log('r'))
        self.assertNotIn('\x1b', text)
        self.assertNotIn('\x07', text)
        self.assertIn('red ^[[31malert^[[0m bell^G bad \\xFF\\xFE utf8 caf\u00e9', text)

    def test_rooms_of_another_passphrase_are_listed_but_unreadable(self):
        carol = self.mount('carol', passphrase='another passphrase entirely')
        a = self.mount('alice')
        os.mkdir(a.path('ours'))
        os.mkdir(carol.path('theirs'))
        h.wait_for(lambda: len(os.listdir(carol.path())) == 2, 5)
        names = sorted(os.listdir(carol.path()))
        self.assertIn('theirs', names)
        foreign = [n for n in names if n != 'theirs'][0]
        self.assertRegex(foreign, r'^[0-9a-f]{32}$')
        with self.assertRaises(PermissionError):
            os.listdir(carol.path(foreign))
        with self.assertRaises(PermissionError):
            open(carol.log(foreign)).close()
        self.assertIn('passphrase does not open room %s' % foreign, carol.log_text())
        # A mount whose passphrase opens none of the rooms there fails.
        m = h.Mount(self.url, 'mallory', 'a third passphrase', foreground=False)
        self.mounts.append(m)
        self.assertEqual(m.start(check=False).returncode, 6)

    def test_start_failures_have_exit_status_and_one_line(self):
        other = h.Mount(self.url, 'x', PASS, foreground=False)
        self.mounts.append(other)
        cases = []
        bad_login = self.url.replace(':%s@' % self.server.password, ':wrong@')
        cases.append((bad_login, other.mountpoint, [], 5, 'user name and password'))
        closed = 'ftp://chat:secret@127.0.0.1:%d/chat/' % h.free_port()
        cases.append((closed, other.mountpoint, [], 4, 'connect'))
        missing = self.server.url('no/such/dir/', create=False)
        cases.append((missing, other.mountpoint, [], 7, 'no/such/dir'))
        cases.append((self.url, '/nonexistent/mountpoint', [], 3, 'does not exist'))
        full = os.path.join(other.dir, 'full')
        os.makedirs(os.path.join(full, 'x'))
        cases.append((self.url, full, [], 3, 'not empty'))
        cases.append((self.url, other.mountpoint, ['-o', 'poll=fast'], 2, 'poll'))
        cases.append((self.url, other.mountpoint, ['-o', 'no_such_option'], 2, 'no_such_option'))
        env = dict(os.environ, FTPCHAT_PASSPHRASE=PASS, **other.client.env())
        for url, mountpoint, extra, status, words in cases:
            r = h.run_ftpchatfs(extra + [url, mountpoint], env=env)
            self.assertEqual(r.returncode, status, (url, extra, r.stderr))
            self.assertIn(words, r.stderr.lower() if words.islower() else r.stderr)
            self.assertNotIn('secret', r.stderr, 'password printed')
            self.assertNotIn(PASS, r.stderr)
        self.assertFalse(h.is_mounted(other.mountpoint))


if __name__ == '__main__':
    unittest.main()
