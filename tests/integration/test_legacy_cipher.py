# The legacy cipher mono24 (-o cipher=mono24, ftpchat init --cipher mono24): it works, every
# mount warns, and a ciphertext-only frequency analysis of the server's files reads most of
# an English conversation without the passphrase.
import os
import unittest

import chatharness as h
from ftpchat_tool import FtpchatUser
import mono24_attack

PASS = 'correct horse battery staple'
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data')


class LegacyCipher(h.ServerTestCase):
    def setUp(self):
        self.rel = 'chat-%s/' % self._testMethodName
        self.base = self.server.url(self.rel)
        self.mounts = []

    def tearDown(self):
        for m in self.mounts:
            m.close()

    def mount(self, nick, **kw):
        m = h.Mount(self.base, nick, PASS, **kw)
        self.mounts.append(m)
        m.start()
        return m

    def writer_files(self):
        """The bytes of every writer file of every room in this test's folder on the server."""
        out = []
        for path in h.writer_files_under(os.path.join(self.server.data_dir, self.rel)):
            with open(path, 'rb') as f:
                out.append(f.read())
        return out

    def test_mkdir_makes_a_mono24_room_and_every_mount_warns(self):
        a = self.mount('alice', options=['poll=200', 'cipher=mono24'])
        os.mkdir(a.path('legacy'))
        h.append_line(a.outbox('legacy'), 'hello in the old cipher')
        [room_dir] = h.room_dirs(os.path.join(self.server.data_dir, self.rel))
        with open(os.path.join(room_dir, 'header')) as f:
            header = f.read()
        self.assertIn('\nsuite mono24\n', header)
        self.assertIn('legacy cipher mono24', a.log_text())
        b = self.mount('bob', options=['poll=200'])  # no cipher option: the header decides
        self.assertIn('legacy cipher mono24', b.log_text())
        h.wait_for(lambda: '<alice> hello in the old cipher' in h.read_text(b.log('legacy')), 10)
        wrong = h.run_ftpchatfs(['-o', 'cipher=rot13', self.base, a.dir])
        self.assertEqual(wrong.returncode, 2)
        self.assertIn('bad value for cipher', wrong.stderr)

    def test_frequency_analysis_reads_a_mono24_room_without_the_passphrase(self):
        alice = FtpchatUser('alice', PASS)
        url = self.base + 'general'
        alice.run('init', '--cipher', 'mono24', url)
        with open(os.path.join(DATA, 'english_messages.txt')) as f:
            messages = f.read()
        alice.run('send', url, input=messages)
        # The room works for its members.
        shown = alice.run('read', url).stdout
        self.assertIn('<alice> See you all soon, and thank you again', shown)
        # The attacker: only the server's files, no passphrase.
        bodies = [b for f in self.writer_files() for b in mono24_attack.substituted_bodies(f)]
        plain = [l.encode() for l in messages.splitlines() if l]
        self.assertEqual(len(bodies), len(plain))
        guessed = mono24_attack.decrypt(bodies, mono24_attack.solve(bodies))
        letters = right = 0
        for p, g in zip(plain, guessed):
            self.assertEqual(len(p), len(g))
            for a, b in zip(p, g):
                if chr(a).isalpha():
                    letters += 1
                    right += a == b
        print('\nmono24: %d of %d letters (%.0f%%) recovered without the passphrase; first line: %r'
              % (right, letters, 100.0 * right / letters, guessed[0].decode('latin-1')))
        self.assertGreaterEqual(right / letters, 0.70)


if __name__ == '__main__':
    unittest.main()
