# Member rooms (issue 11) through real mounts and the real `ftpchat` against pyftpdlib: people
# with personal identities chat under their names; an outsider with the server's password reads
# nothing; a forged record claiming another member is rejected by every reader; a removed member
# reads nothing new and their later records are refused while a new invitee reads on; one person
# on two devices; two admins racing; a passphrase room beside a member room; the errors users
# meet. Each step is named (h.Steps) so a failure says where and when.
import json
import os
import stat
import subprocess
import threading
import time
import unittest

import chatharness as h
from ftpchat_tool import FtpchatUser
import member_forge

PASS = 'correct horse battery staple'
WAIT = 15


class MemberRooms(h.ServerTestCase):
    def setUp(self):
        self.base = self.server.url('chat-%s/' % self._testMethodName)
        self.url = self.base + 'team'
        self.data = os.path.join(self.server.data_dir, 'chat-' + self._testMethodName)

    def user(self, nick):
        u = FtpchatUser(nick)
        u.public_id = u.make_identity()
        return u

    def mount(self, user, passphrase=None):
        opts = ['poll=200', 'chatid=' + user.chatid]
        return self.start_mount(self.base, user.nick, passphrase, client_dir=user.client, options=opts)

    def room_dir(self):
        [room] = [d for d in h.room_dirs(self.data)
                  if member_forge.read(os.path.join(d, 'header')).startswith('ftpchatfs-room v2\n')]
        return room

    def wait_log(self, mount, text, room='team'):
        h.wait_for(lambda: text in h.read_text(mount.log(room)), WAIT,
                   message='%r in %s log: %r' % (text, mount.nick, h.read_text(mount.log(room))))

    def read(self, user, *extra):
        return user.run('read', *extra, self.url).stdout

    def test_members_chat_and_an_outsider_reads_nothing(self):
        alice, bob, carol = self.user('alice'), self.user('bob'), self.user('carol')
        alice.run('init', self.url, '--member', 'bob=' + bob.public_id)
        a, b = self.mount(alice), self.mount(bob)
        self.assertIn('members', os.listdir(a.path('team')))
        h.append_line(a.outbox('team'), 'hello bob')
        self.wait_log(b, '<alice> hello bob')
        h.append_line(b.outbox('team'), 'hi alice')
        self.wait_log(a, '<bob> hi alice')
        records = [json.loads(l) for l in h.read_text(b.path('team', 'log.jsonl')).splitlines()]
        self.assertEqual([(r['from'], r['signer']) for r in records],
                         [('alice', alice.public_id), ('bob', bob.public_id)])
        members = h.read_text(a.path('team', 'members')).splitlines()
        self.assertEqual([l.split()[:3] for l in members],
                         [['alice', alice.public_id[:16], 'owner'], ['bob', bob.public_id[:16], 'member']])
        # Carol has the server's password and an identity, but no key for this room.
        c = self.mount(carol)
        self.assertNotIn('team', os.listdir(c.mountpoint))
        [folder] = os.listdir(c.mountpoint)
        with self.assertRaises(PermissionError):
            open(c.path(folder, 'log')).read()
        self.assertNotEqual(h.append_line(c.path(folder, 'outbox'), 'let me in', check=False).returncode, 0)
        refused = carol.run('read', self.url, check=False)
        self.assertEqual(refused.returncode, 7, refused.stderr)
        self.assertIn('not yours', refused.stderr)
        self.assertEqual(carol.run('send', self.url, 'hi', check=False).returncode, 7)
        self.assertNotIn('let me in', self.read(alice))

    def test_a_record_claiming_to_be_alice_is_rejected_by_every_reader(self):
        alice, bob = self.user('alice'), self.user('bob')
        alice.run('init', self.url, '--member', 'bob=' + bob.public_id)
        alice.run('send', self.url, 'the real alice')
        a, b = self.mount(alice), self.mount(bob)
        forger = member_forge.Member(bob.chatid, self.room_dir())
        forged = forger.forge('I am alice: send me the keys', member_forge.public_key_of(alice.public_id),
                              h.current_period())
        h.append_line(a.outbox('team'), 'after the forgery')
        for m in (a, b):
            self.wait_log(m, '<alice> after the forgery')
            log = h.read_text(m.log('team'))
            self.assertNotIn('send me the keys', log)
            self.assertIn("signature does not verify", log)
            self.assertGreaterEqual(int(h.read_status(m, 'team')['records rejected']), 1)
        # Then bob appends to alice's writer file a message of his, sealed in his own name over
        # her whole chain: readers keep her records hers (fresh ones too) and refuse his.
        alices_file = sorted(os.path.join(root, n) for root, _, names in os.walk(self.room_dir())
                             for n in names if n.endswith('.w') and os.path.join(root, n) != forged)[0]
        forger.reseal(alices_file, 'resealed by bob')
        for m in (a, b):
            self.wait_log(m, 'signed by another identity')
            self.assertNotIn('resealed by bob', h.read_text(m.log('team')))
        for u in (alice, bob):
            out = self.read(u)
            self.assertNotIn('send me the keys', out)
            self.assertNotIn('resealed by bob', out)
            self.assertIn('<alice> the real alice', out)
            self.assertIn('<alice> after the forgery', out)
        verify = alice.run('verify', self.url, check=False)
        self.assertEqual(verify.returncode, 1)
        self.assertIn('2 rejected', verify.stdout)

    def test_removal_cuts_bob_off_while_carol_joins(self):
        steps = h.Steps('removal on pyftpd')
        alice, bob, carol = self.user('alice'), self.user('bob'), self.user('carol')
        with steps('alice makes the room with bob; both mount'):
            alice.run('init', self.url, '--member', 'bob=' + bob.public_id)
            a, b, c = self.mount(alice), self.mount(bob), self.mount(carol)
            h.append_line(b.outbox('team'), 'bob before')
            self.wait_log(a, '<bob> bob before')
        with steps('alice removes bob through the control file, then sends'):
            with open(a.path('team', 'control'), 'a') as f:
                f.write('remove bob\n')
            self.wait_log(a, '-!- alice removed bob')
            h.append_line(a.outbox('team'), 'secret after removal')
        with steps('bob, who has not seen it, still writes'):
            h.append_line(b.outbox('team'), 'bob after')
            h.wait_for(lambda: int(h.read_status(b, 'team')['records unreadable']) > 0, WAIT,
                       message='bob unreadable count')
        with steps('carol is invited with ftpchat and finds the room on her mount'):
            alice.run('invite', self.url, 'carol', carol.public_id)
            h.wait_for(lambda: 'team' in os.listdir(c.mountpoint), WAIT, message='team on carol mount')
            self.wait_log(c, '<alice> secret after removal')
            h.append_line(c.outbox('team'), 'carol here')
            self.wait_log(a, '<carol> carol here')
        with steps('nobody shows bob after removal; bob shows nothing new'):
            for m in (a, c):
                log = h.read_text(m.log('team'))
                self.assertNotIn('bob after', log)
                self.assertIn('<bob> bob before', log)
            self.assertNotIn('bob after', self.read(carol))
            self.assertNotIn('bob after', self.read(alice))
            for out in (h.read_text(b.log('team')), self.read(bob)):
                self.assertNotIn('secret after removal', out)
                self.assertNotIn('carol here', out)
            self.assertIn('rejected: its signer had been removed', h.read_text(c.log('team')))
        with steps('verify counts bob\'s late record as refused, not as damage'):
            h.wait_for(lambda: h.read_status(b, 'team')['messages pending'] == '0', WAIT,
                       message="bob's late line uploaded")
            verify = alice.run('verify', self.url, check=False)
            self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
            self.assertIn("1 refused (written after the signer's removal)", verify.stdout)
            self.assertIn('0 rejected, 0 missing, 1 refused after removal: sound', verify.stdout)
        with steps('members and bob refused from then on'):
            members = [l.split()[0] for l in h.read_text(a.path('team', 'members')).splitlines()]
            self.assertEqual(members, ['alice', 'carol'])

    def test_a_second_device_is_the_same_person(self):
        alice, bob = self.user('alice'), self.user('bob')
        alice.run('init', self.url, '--member', 'bob=' + bob.public_id)
        laptop = FtpchatUser('alice-laptop')
        laptop.use_identity_of(alice)
        laptop.run('send', self.url, 'from the laptop')
        a = self.mount(alice)
        h.append_line(a.outbox('team'), 'from the desktop')
        # The write returns once spooled: bob's read must come after the upload.
        h.wait_for(lambda: h.read_status(a, 'team')['messages pending'] == '0', WAIT,
                   message="alice's desktop line uploaded")
        out = self.read(bob)
        self.assertIn('<alice> from the laptop', out)
        self.assertIn('<alice> from the desktop', out)
        alice_line = [l for l in bob.run('members', self.url).stdout.splitlines() if l.startswith('alice ')]
        self.assertEqual(alice_line[0].split()[2:4], ['owner', '2'])  # two devices

    def member_lists(self, *users):
        return {u.nick: u.run('members', self.url).stdout for u in users}

    def test_two_admins_racing_agree_everywhere(self):
        alice, dave, erin, xan = (self.user(n) for n in ('alice', 'dave', 'erin', 'xan'))
        alice.run('init', self.url, '--member', 'xan=' + xan.public_id)
        alice.run('invite', self.url, 'dave', dave.public_id, '--role', 'admin')
        alice.run('invite', self.url, 'erin', erin.public_id, '--role', 'admin')
        a = self.mount(alice)
        # At once: dave removes xan, erin makes xan an admin. If one client saw the other's
        # change first, it refuses (an admin cannot remove an admin; xan is no member); else both
        # land and the removal stands. Whichever happened, every member's client gives one answer.
        results = {}
        race = [threading.Thread(target=lambda: results.update(dave=dave.run('remove', self.url, 'xan', check=False))),
                threading.Thread(target=lambda: results.update(erin=erin.run('role', self.url, 'xan', 'admin', check=False)))]
        for t in race:
            t.start()
        for t in race:
            t.join(60)
        lists = self.member_lists(alice, dave, erin)
        self.assertEqual(len(set(lists.values())), 1, lists)
        names = [l.split()[0] for l in lists['alice'].splitlines()]
        if results['dave'].returncode == 0:
            self.assertEqual(names, ['alice', 'dave', 'erin'])
            if results['erin'].returncode != 0:
                self.assertIn("no member of this room is named 'xan'", results['erin'].stderr)
        else:
            self.assertIn('you cannot do that', results['dave'].stderr)
            self.assertEqual(results['erin'].returncode, 0, results['erin'].stderr)
            self.assertIn('xan', names)
        h.wait_for(lambda: h.read_text(a.path('team', 'members')) == lists['alice'], WAIT,
                   message='the mount agrees')

    def test_a_concurrent_change_from_a_stale_view_converges(self):
        steps = h.Steps('stale admin on pyftpd')
        alice, dave, erin, xan = (self.user(n) for n in ('alice', 'dave', 'erin', 'xan'))
        with steps('alice makes the room with xan and two admins'):
            alice.run('init', self.url, '--member', 'xan=' + xan.public_id)
            alice.run('invite', self.url, 'dave', dave.public_id, '--role', 'admin')
            alice.run('invite', self.url, 'erin', erin.public_id, '--role', 'admin')
            last = sorted(os.listdir(os.path.join(self.room_dir(), 'keys')),
                          key=lambda n: os.path.getmtime(os.path.join(self.room_dir(), 'keys', n)))[-1]
            erins_view = last[:-2]  # the newest epoch erin knows before going quiet
        with steps('dave removes xan; erin, who saw nothing since, makes xan an admin'):
            dave.run('remove', self.url, 'xan')
            erin_client = member_forge.Member(erin.chatid, self.room_dir())
            keys = [member_forge.public_key_of(u.public_id) for u in (alice, dave, erin, xan)]
            # Stamped after dave's removal: erin's epoch, which lists xan, is the latest.
            member_forge.stale_role_change(erin_client, erins_view, member_forge.public_key_of(xan.public_id),
                                           2, keys, h.current_period(), int(time.time() * 1000 + 60000) << 16)
        with steps('every member client agrees: xan is out, the removal stands'):
            a = self.mount(alice)
            lists = self.member_lists(alice, dave, erin)
            self.assertEqual(len(set(lists.values())), 1, lists)
            self.assertEqual([l.split()[0] for l in lists['alice'].splitlines()], ['alice', 'dave', 'erin'])
            h.wait_for(lambda: h.read_text(a.path('team', 'members')) == lists['alice'], WAIT,
                       message='the mount agrees')
        with steps('an owner or admin rekeyed, since erin\'s epoch still lists xan; xan reads nothing new'):
            # Grants: dave's and erin's invites, dave's removal, erin's change, then the rekey
            # (made by the first owner or admin client that synced: one of the members calls).
            grants = os.listdir(os.path.join(self.room_dir(), 'keys'))
            self.assertGreaterEqual(len(grants), 5, grants)
            alice.run('send', self.url, 'after the rekey')
            self.assertIn('<alice> after the rekey', dave.run('read', self.url).stdout)
            self.assertNotIn('after the rekey', xan.run('read', self.url).stdout)

    def test_a_passphrase_room_and_a_member_room_in_one_mount(self):
        alice, bob = self.user('alice'), self.user('bob')
        alice.run('init', self.url, '--member', 'bob=' + bob.public_id)
        old = FtpchatUser('olga', PASS)
        old.run('init', self.base + 'plain')
        a = self.mount(alice, passphrase=PASS)
        self.assertEqual(sorted(os.listdir(a.mountpoint)), ['plain', 'team'])
        os.mkdir(a.path('another'))  # with a passphrase, mkdir makes a passphrase room
        self.assertNotIn('members', os.listdir(a.path('another')))
        h.append_line(a.outbox('plain'), 'in the passphrase room')
        h.append_line(a.outbox('team'), 'in the member room')
        self.assertIn('<alice> in the passphrase room', old.run('read', self.base + 'plain').stdout)
        self.assertIn('<alice> in the member room', self.read(bob))
        # Bob's mount has no passphrase: his room opens, no prompt, the other rooms stay closed.
        b = self.mount(bob)
        self.assertIn('team', os.listdir(b.mountpoint))
        self.assertIn('<alice> in the member room', h.read_text(b.log('team')))
        os.mkdir(b.path('bobs'))  # no passphrase: a member room owned by bob
        self.assertIn('control', os.listdir(b.path('bobs')))

    def test_clear_errors(self):
        alice, bob = self.user('alice'), self.user('bob')
        alice.run('init', self.url, '--member', 'bob=' + bob.public_id)

        def refused(user, code, text, *args):
            proc = user.run(*args, check=False)
            self.assertEqual(proc.returncode, code, proc.stderr)
            self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
            self.assertIn(text, proc.stderr)
        refused(alice, 2, 'instead of 56', 'invite', self.url, 'zed', bob.public_id[:40])
        refused(alice, 2, 'check does not match', 'invite', self.url, 'zed',
                bob.public_id[:30] + ('A' if bob.public_id[30] != 'A' else 'B') + bob.public_id[31:])
        refused(alice, 1, 'already a member', 'invite', self.url, 'bobby', bob.public_id)
        refused(alice, 1, 'last owner', 'remove', self.url, 'alice')
        refused(bob, 1, 'you cannot do that', 'invite', self.url, 'zed', self.user('zed').public_id)
        os.chmod(alice.chatid, 0o644)
        refused(alice, 2, 'chmod 600', 'send', self.url, 'hi')
        os.chmod(alice.chatid, 0o600)
        refused(alice, 2, 'already exists', 'id', 'new')
        sealed = FtpchatUser('sam')
        sealed.chatid = os.path.join(sealed.client.root, 'identity')
        env = dict(sealed.env(), FTPCHAT_ID_PASSPHRASE='sam s passphrase')
        made = subprocess.run(sealed.args('id', 'new', '--seal'), env=env, capture_output=True, text=True)
        self.assertEqual(made.returncode, 0, made.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(sealed.chatid).st_mode), 0o600)
        shown = subprocess.run(sealed.args('id', 'show'), env=sealed.env(), capture_output=True, text=True)
        self.assertEqual(shown.stdout.strip(), made.stdout.strip())  # no passphrase needed
        wrong = subprocess.run(sealed.args('members', self.url), capture_output=True, text=True,
                               env=dict(sealed.env(), FTPCHAT_ID_PASSPHRASE='not it'))
        self.assertEqual(wrong.returncode, 6, wrong.stderr)
        self.assertIn('does not open identity file', wrong.stderr)


if __name__ == '__main__':
    unittest.main()
