# Read receipts (issue 13) through real mounts and the real `ftpchat` on pyftpdlib: a member
# room of alice and bob (both -o receipts) and carol (without): bob's reading reaches alice's
# status and members file; carol sends none and sees none; ftpchat read --json --receipts prints
# them for bots and receipts what it printed; an idle room makes no request; a record of a kind
# a client does not know (as receipts are to an older client) is skipped silently.
import json
import os
import time

import chatharness as h
from ftpchat_tool import FtpchatUser
import member_forge

WAIT = 20


def peek(path):
    """The file read through O_NOATIME: the mount counts nothing as seen."""
    fd = os.open(path, os.O_RDONLY | os.O_NOATIME)
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return b''.join(chunks).decode('utf-8', 'replace')
            chunks.append(chunk)
    finally:
        os.close(fd)


class Receipts(h.ServerTestCase):
    def setUp(self):
        self.base = self.server.url('chat-%s/' % self._testMethodName)
        self.url = self.base + 'team'
        self.data = os.path.join(self.server.data_dir, 'chat-' + self._testMethodName)
        self.steps = h.Steps(self._testMethodName)
        self.alice, self.bob, self.carol = (self.user(n) for n in ('alice', 'bob', 'carol'))
        self.alice.run('init', self.url, '--member', 'bob=' + self.bob.public_id,
                       '--member', 'carol=' + self.carol.public_id)
        self.a = self.mount(self.alice, receipts=True)
        self.b = self.mount(self.bob, receipts=True)
        self.c = self.mount(self.carol, receipts=False)

    def user(self, nick):
        u = FtpchatUser(nick)
        u.public_id = u.make_identity()
        return u

    def mount(self, user, receipts):
        opts = ['poll=200', 'chatid=' + user.chatid] + (['receipts'] if receipts else [])
        return self.start_mount(self.base, user.nick, None, client_dir=user.client, options=opts)

    def post_mortem(self):
        return '\n'.join('%s status: %r\n%s daemon:\n%s' % (m.nick, h.read_status(m, 'team'), m.nick,
                                                            m.log_tail(15))
                         for m in (self.a, self.b, self.c))

    def room_dir(self):
        [room] = h.room_dirs(self.data)
        return room

    def arrives(self, mount, text):
        """Waits until `text` is in mount's log, peeking (nothing seen)."""
        h.wait_for(lambda: text in peek(mount.log('team')), WAIT,
                   message='%r at %s' % (text, mount.nick))

    def sent(self, mount, n=1):
        return h.read_status(mount, 'team').get('sent %d' % n, '')

    def members(self, mount):
        return {l.split()[0]: l.split() for l in h.read_text(mount.path('team', 'members')).splitlines()}

    def test_reading_reaches_the_sender_and_only_those_who_send_receipts(self):
        a, b, c = self.a, self.b, self.c
        with self.steps('alice writes; it arrives everywhere, unread', self.post_mortem):
            h.append_line(a.outbox('team'), 'hello team')
            for m in (b, c):
                self.arrives(m, '<alice> hello team')
            h.wait_for(lambda: ' on server: hello team' in self.sent(a), WAIT)
            time.sleep(3)  # longer than the grace: nothing is read, nothing is receipted
            self.assertIn(' on server: hello team', self.sent(a))
            self.assertEqual(h.read_status(a, 'team')['receipts'], 'on')
            self.assertEqual(h.read_status(c, 'team')['receipts'], 'off')
        with self.steps('carol (no receipts) and bob read with cat: alice sees bob only', self.post_mortem):
            self.assertIn('hello team', h.read_text(c.log('team')))
            self.assertIn('hello team', h.read_text(b.log('team')))
            h.wait_for(lambda: 'read by 1 (bob): hello team' in self.sent(a), WAIT,
                       message='read by bob in alice status')
            m = self.members(a)
            self.assertEqual(len(m['bob']), 7, m)  # read up to: the message's time and id
            jsonl = [json.loads(l) for l in h.read_text(a.path('team', 'log.jsonl')).splitlines()]
            self.assertEqual(m['bob'][6], jsonl[0]['id'])
            self.assertEqual(m['carol'][5:], ['-', '-'])
            self.assertEqual(len(self.members(c)['bob']), 5)  # carol sends none, sees none
        with self.steps("carol's mount wrote nothing and rejected nothing", self.post_mortem):
            carol_writer = h.read_status(c, 'team')['writer']
            self.assertEqual(carol_writer, 'none yet')
            self.assertEqual(h.read_status(c, 'team')['records rejected'], '0')
            self.assertNotIn('-!-', peek(c.log('team')))
            self.assertEqual(len(h.writer_files(self.room_dir())), 2)  # alice's and bob's
        with self.steps('ftpchat read --json --receipts prints them and receipts what it printed',
                        self.post_mortem):
            out = self.carol.run('read', '--json', '--receipts', self.url).stdout
            lines = [json.loads(l) for l in out.splitlines()]
            self.assertEqual([l['text'] for l in lines if 'text' in l], ['hello team'])
            [receipt] = [l['receipt'] for l in lines if 'receipt' in l]
            self.assertEqual((receipt['from'], receipt['signer']), ('bob', self.bob.public_id))
            self.assertEqual(receipt['read_up_to']['id'], lines[0]['id'])
            h.wait_for(lambda: 'read by 2 (bob, carol): hello team' in self.sent(a), WAIT,
                       message='read by bob and carol in alice status')

    def test_an_idle_room_costs_nothing_and_a_reply_carries_the_receipt(self):
        a, b = self.a, self.b
        with self.steps('a first exchange', self.post_mortem):
            h.append_line(a.outbox('team'), 'question?')
            self.arrives(b, '<alice> question?')
            h.read_text(b.log('team'))
            h.append_line(b.outbox('team'), 'answer!')  # within the grace: carries the receipt
            h.wait_for(lambda: 'read by 1 (bob): question?' in self.sent(a), WAIT)
            bob_files = [p for p in h.writer_files(self.room_dir())
                         if os.path.basename(p)[:-2] == h.read_status(b, 'team')['writer']]
            [bob_file] = bob_files
            with open(bob_file) as f:
                records = [l for l in f.read().split('\n') if l]
            self.assertEqual(len(records), 2, 'one append: the answer, the receipt')
            # Line bytes 0x02 then 0x03 (base64 'A' and a second character from 'g'-'v', then
            # 'w'-'_'): the receipt, the append's last record, carries the seal.
            self.assertEqual([r[0] + ('sealed' if r[1] in 'wxyz0123456789-_' else 'plain') for r in records],
                             ['Aplain', 'Asealed'])
        with self.steps('idle, and read again with nothing new: bob writes nothing', self.post_mortem):
            size = os.path.getsize(bob_file)
            for _ in range(3):
                h.read_text(b.log('team'))
                time.sleep(1.5)
            self.assertEqual(os.path.getsize(bob_file), size)

    def test_a_kind_a_client_does_not_know_is_skipped_silently(self):
        a, c = self.a, self.c
        with self.steps('bob writes a record of kind 9, then a message', self.post_mortem):
            forger = member_forge.Member(self.bob.chatid, self.room_dir())
            h.append_line(a.outbox('team'), 'before')
            self.arrives(c, '<alice> before')
            forger = member_forge.Member(self.bob.chatid, self.room_dir())
            member_forge.honest_record(forger, 9, b'a later version says something', h.current_period())
            h.append_line(self.b.outbox('team'), 'after')
        with self.steps('alice and carol show the message, no notice, nothing rejected', self.post_mortem):
            for m in (a, c):
                self.arrives(m, '<bob> after')
                log = peek(m.log('team'))
                self.assertNotIn('later version', log)
                self.assertNotIn('-!-', log)
                self.assertEqual(h.read_status(m, 'team')['records rejected'], '0')


if __name__ == '__main__':
    import unittest
    unittest.main()
