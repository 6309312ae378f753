# The local ciphertext cache ($XDG_CACHE_HOME/ftpchatfs) through real mounts on pyftpdlib:
# a remount downloads no history it has seen (the server's command log shows no RETR of a
# writer file whose listed size is the cached size), a history changed on the server is
# noticed and read again, and the log reads the same at any offset.
import os
import random
import re
import unittest

import chatharness as h
from chat_scenarios import PASS


class CacheTests(h.ServerTestCase):
    def setUp(self):
        self.base = 'cache-%s' % self._testMethodName
        self.url = self.server.url(self.base + '/')

    def mount(self, nick, client):
        return self.start_mount(self.url, nick, PASS, client_dir=client, options=['poll=200'])

    def fill_room(self, count):
        """alice writes `count` messages into room r and unmounts; returns her writer file."""
        a = self.mount('alice', h.ClientDir())
        os.mkdir(a.path('r'))
        with open(a.outbox('r'), 'a') as f:
            f.write(''.join('message %d\n' % i for i in range(count)))
        h.wait_for(lambda: 'messages pending: 0' in h.read_text(a.path('r', 'status')), 20)
        a.unmount()
        files = h.writer_files_under(os.path.join(self.server.data_dir, self.base))
        self.assertEqual(len(files), 1)
        return files[0]

    def retr_offsets(self, since):
        """(REST offset, path) of every RETR of a writer file after command index `since`."""
        out, rest = [], 0
        for cmd in self.server.commands()[since:]:
            if cmd.startswith('REST '):
                rest = int(cmd.split()[1])
            elif cmd.startswith('RETR ') and cmd.endswith('.w'):
                out.append((rest, cmd[5:]))
                rest = 0
        return out

    def read_log_lines(self, m):
        return h.read_text(m.log('r')).splitlines()

    def test_remount_downloads_no_history_already_cached(self):
        wfile = self.fill_room(300)
        size = os.path.getsize(wfile)
        bob = h.ClientDir()
        b = self.mount('bob', bob)
        self.assertEqual(len(self.read_log_lines(b)), 300)
        b.unmount()
        self.assertEqual(os.path.getsize(
            [p for p in self._cached_files(bob)][0]), size)

        # alice comes back as a new writer while bob is away: one more file in the room.
        a = self.mount('alice', h.ClientDir())
        with open(a.outbox('r'), 'a') as f:
            f.write('after the remount\n')
        h.wait_for(lambda: 'messages pending: 0' in h.read_text(a.path('r', 'status')), 20)
        a.unmount()  # only bob's commands from here on

        mark = len(self.server.commands())
        b = self.mount('bob', bob)
        lines = self.read_log_lines(b)
        self.assertEqual(len(lines), 301)
        self.assertTrue(lines[-1].endswith('<alice> after the remount'), lines[-1])
        offsets = self.retr_offsets(mark)
        old = os.path.basename(wfile)
        # The unchanged file is as long as the listing says: read from the cache, no RETR.
        self.assertEqual([o for o in offsets if o[1].endswith(old)], [],
                         'the remount downloaded history it had cached: %r' % offsets)
        self.assertEqual([o for o, path in offsets if not path.endswith(old)], [0], offsets)
    def test_history_changed_on_the_server_invalidates_the_cache(self):
        wfile = self.fill_room(40)
        bob = h.ClientDir()
        b = self.mount('bob', bob)
        self.assertEqual(len(self.read_log_lines(b)), 40)
        b.unmount()
        # The server's file now holds only its first 10 records (same prefix, shorter).
        with open(wfile, 'rb') as f:
            data = f.read()
        records = [m.end() for m in re.finditer(rb'[^\n]+\n', data)]
        with open(wfile, 'wb') as f:
            f.write(data[:records[9]])
        b = self.mount('bob', bob)
        lines = self.read_log_lines(b)
        self.assertEqual(len(lines), 10, lines[-3:])
        self.assertTrue(lines[-1].endswith('<alice> message 9'), lines[-1])
        cached = self._cached_files(bob)
        self.assertEqual(os.path.getsize(cached[0]), records[9])

    def test_log_reads_the_same_at_any_offset(self):
        self.fill_room(3000)
        b = self.mount('bob', h.ClientDir())
        with open(b.log('r'), 'rb') as f:
            whole = f.read()
        self.assertEqual(whole.count(b'\n'), 3000)
        rng = random.Random(5)
        with open(b.log('r'), 'rb') as f:
            for _ in range(200):
                off = rng.randrange(len(whole))
                n = rng.randrange(1, 200000)
                f.seek(off)
                self.assertEqual(f.read(n), whole[off:off + n], 'offset %d length %d' % (off, n))

    @staticmethod
    def _cached_files(client):
        root = os.path.join(client.cache, 'ftpchatfs')
        out = []
        for r, _dirs, files in os.walk(root):
            out += [os.path.join(r, f) for f in files if f.endswith('.w')]
        return out


if __name__ == '__main__':
    unittest.main()
