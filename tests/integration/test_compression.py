# zstd compression of message bodies (-o compress=zstd, ftpchat send --compress zstd): both
# directions between a mount and the ftpchat command, flagged per record, readable by a client
# that does not compress itself, and smaller on the server.
import os
import unittest

import chatharness as h
from ftpchat_tool import FtpchatUser

PASS = 'correct horse battery staple'
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'docs', 'FORMAT.md')


def room_bytes(server, rel):
    """Bytes in the writer files of the rooms under `rel` on the server."""
    return sum(os.path.getsize(f) for f in h.writer_files_under(os.path.join(server.data_dir, rel)))


class Compression(h.ServerTestCase):
    def tearDown(self):
        for m in getattr(self, 'mounts', []):
            m.close()

    def test_round_trip_between_a_mount_and_the_command(self):
        rel = 'chat-zstd/'
        base = self.server.url(rel)
        a = h.Mount(base, 'alice', PASS, options=['poll=200', 'compress=zstd'])
        self.mounts = [a]
        a.start()
        os.mkdir(a.path('paste'))
        with open(SOURCE) as f:
            pasted = [l for l in f.read().splitlines() if l.strip()]
        long_line = ' '.join(pasted)[:60000]  # one long pasted message
        with open(a.outbox('paste'), 'w') as f:
            f.write(long_line + '\n')
        bob = FtpchatUser('bob', PASS)
        url = base + 'paste'
        shown = bob.run('read', '--json', url).stdout
        import json
        texts = [json.loads(l)['text'] for l in shown.splitlines()]
        self.assertEqual(texts, [long_line])
        after_mount = room_bytes(self.server, rel)
        self.assertLess(after_mount, len(long_line) * 0.75)  # plain text would be 1.33x in base64
        # The other direction: the command compresses, the mount (and a plain reader) read it.
        bob.run('send', '--compress', 'zstd', url, input=long_line + '\n')
        grown = room_bytes(self.server, rel) - after_mount
        self.assertLess(grown, len(long_line) * 0.75)
        h.wait_for(lambda: h.read_text(a.log('paste')).count(long_line[:200]) == 2, 10)
        # Short messages stay uncompressed (it would not save bytes); verify counts both kinds.
        bob.run('send', '--compress', 'zstd', url, 'ok')
        report = bob.run('verify', url).stdout
        self.assertIn('1 records (1 compressed)', report)
        self.assertIn('2 records (1 compressed)', report)
        self.assertIn(': sound', report)
        # Without compression the same text costs at least twice as much on the server.
        before = room_bytes(self.server, rel)
        bob.run('send', url, input=long_line + '\n')
        plain = room_bytes(self.server, rel) - before
        print("\nzstd: %d bytes of text -> %d bytes on the server compressed, %d uncompressed"
              % (len(long_line), grown, plain))
        self.assertGreater(plain, 1.5 * grown)


if __name__ == '__main__':
    unittest.main()
