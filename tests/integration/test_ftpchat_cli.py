# The `ftpchat` command against a real FTP server (pyftpdlib): init, send, read, verify and
# chat, and rooms shared with ftpchatfs mounts in both directions.
import json
import os
import subprocess
import threading
import unittest

import chatharness as h
from ftpchat_tool import FtpchatUser, ftpchat_binary

PASS = 'correct horse battery staple'


class LineReader:
    """Collects the stdout lines of a running process in a thread."""

    def __init__(self, proc):
        self.proc, self.lines = proc, []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip('\n'))

    def wait_for(self, text, timeout=10):
        h.wait_for(lambda: any(text in l for l in self.lines), timeout,
                   message='%r in output %r' % (text, self.lines))


class FtpchatCommand(h.ServerTestCase):
    def setUp(self):
        self.base = self.server.url('chat-%s/' % self._testMethodName)
        self.url = self.base + 'general'

    def mount(self, nick):
        return self.start_mount(self.base, nick, PASS, options=['poll=200'])

    def spawn(self, user, sub, *args, **kw):
        proc = user.popen(sub, *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)

        def stop():
            proc.kill()
            proc.wait(5)
        self.addCleanup(stop)
        return proc

    def test_init_send_read_verify(self):
        alice, bob = FtpchatUser('alice', PASS), FtpchatUser('bob', PASS)
        alice.run('init', self.url)
        again = alice.run('init', self.url, check=False)
        self.assertEqual(again.returncode, 1)
        self.assertIn("already exists", again.stderr)
        alice.run('send', self.url, 'hello', 'everyone')
        bob.run('send', self.url, input='line one\n\nline "two"\n')
        out = bob.run('read', self.url).stdout.splitlines()
        self.assertEqual([l.split(' ', 2)[2] for l in out],
                         ['<alice> hello everyone', '<bob> line one', '<bob> line "two"'])
        records = [json.loads(l) for l in alice.run('read', '--json', self.url).stdout.splitlines()]
        self.assertEqual([(r['from'], r['text']) for r in records],
                         [('alice', 'hello everyone'), ('bob', 'line one'), ('bob', 'line "two"')])
        self.assertRegex(records[0]['time'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
        self.assertRegex(records[0]['id'], r'^[0-9a-f]{32}$')
        verify = alice.run('verify', self.url)
        self.assertIn('total: 3 records, 0 rejected, 0 missing: sound', verify.stdout)
        self.assertEqual(len([l for l in verify.stdout.splitlines() if l.endswith('missing')]), 2)

    def test_verify_reports_damage_with_its_exit_status(self):
        alice = FtpchatUser('alice', PASS)
        alice.run('init', self.url)
        alice.run('send', self.url, input='one\ntwo\n')
        [room_dir] = h.room_dirs(os.path.join(self.server.data_dir, 'chat-' + self._testMethodName))
        [writer] = h.writer_files(room_dir)
        with open(writer, 'a') as f:
            f.write('\nAQID-not-a-record\n')
        verify = alice.run('verify', self.url, check=False)
        self.assertEqual(verify.returncode, 1, verify.stderr)
        self.assertIn('2 records (0 compressed), 1 rejected', verify.stdout)
        self.assertIn('DAMAGED', verify.stdout)
        # Reading still works: the bad line is skipped.
        lines = alice.run('read', self.url).stdout.splitlines()
        self.assertEqual(len([l for l in lines if '<alice>' in l]), 2, lines)

    def test_errors_are_one_line_with_exit_status(self):
        alice = FtpchatUser('alice', PASS)
        missing = alice.run('send', self.base + 'nowhere', 'hi', check=False)
        self.assertEqual(missing.returncode, 7)
        self.assertEqual(len(missing.stderr.splitlines()), 1, missing.stderr)
        self.assertRegex(missing.stderr, r"^ftpchat: no room 'nowhere'")
        alice.run('init', self.url)
        wrong = FtpchatUser('mallory', 'wrong passphrase').run('read', self.url, check=False)
        self.assertEqual(wrong.returncode, 6, wrong.stderr)
        usage = alice.run('read', self.base.rstrip('/').rsplit('/', 1)[0] + '/', check=False)
        self.assertEqual(usage.returncode, 2)  # names no room
        self.assertIn('URL/ROOM', usage.stderr)
        bad = subprocess.run([ftpchat_binary(), 'frobnicate'], capture_output=True, text=True)
        self.assertEqual(bad.returncode, 2)
        self.assertTrue(bad.stderr.startswith('ftpchat: '), bad.stderr)
        # Usage errors follow the same rule as ftpchatfs's: one line, no capital, a pointer.
        none = subprocess.run([ftpchat_binary()], capture_output=True, text=True)
        self.assertEqual(none.returncode, 2)
        self.assertEqual(none.stderr,
                         'ftpchat: a subcommand is required; see ftpchat --help\n')

    def test_read_follow_and_a_mount_see_each_other(self):
        a = self.mount('alice')
        os.mkdir(a.path('general'))
        bob = FtpchatUser('bob', PASS)
        follow = self.spawn(bob, 'read', '--follow', '--poll', '200', self.url)
        reader = LineReader(follow)
        h.append_line(a.outbox('general'), 'from the mount')
        reader.wait_for('<alice> from the mount')
        bob.run('send', self.url, 'from the command')
        h.wait_for(lambda: '<bob> from the command' in h.read_text(a.log('general')), 10)
        reader.wait_for('<bob> from the command')
        # JSON follow sees the same, parsed by a JSON parser.
        jfollow = LineReader(self.spawn(bob, 'read', '-f', '--json', '--poll', '200', self.url))
        h.append_line(a.outbox('general'), 'json "quoted" \x1b[31m')
        h.wait_for(lambda: any('quoted' in l for l in jfollow.lines), 10)
        texts = [json.loads(l)['text'] for l in jfollow.lines]
        self.assertIn('json "quoted" \x1b[31m', texts)

    def test_chat_client_on_a_mounted_room(self):
        a = self.mount('alice')
        os.mkdir(a.path('general'))
        h.append_line(a.outbox('general'), 'earlier message')
        b = self.mount('bob')
        chat = subprocess.Popen([ftpchat_binary(), 'chat', b.path('general')],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: (chat.kill(), chat.wait(5)))
        reader = LineReader(chat)
        reader.wait_for('<alice> earlier message')
        chat.stdin.write('typed in chat\n')
        chat.stdin.flush()
        h.wait_for(lambda: '<bob> typed in chat' in h.read_text(a.log('general')), 10)
        reader.wait_for('<bob> typed in chat')
        h.append_line(a.outbox('general'), 'live reply')
        reader.wait_for('<alice> live reply')
        chat.stdin.write('/quit\n')
        chat.stdin.flush()
        self.assertEqual(chat.wait(10), 0)


if __name__ == '__main__':
    unittest.main()
