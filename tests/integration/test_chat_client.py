# `ftpchat chat` as a person uses it: the full-screen client runs in a real terminal (tmux,
# on a private server socket), driven with send-keys and read with capture-pane, against
# real ftpchatfs mounts of a real FTP server (pyftpdlib) that another user writes to.
import itertools
import os
import re
import shlex
import subprocess
import time
import unittest

import chatharness as h
from ftpchat_tool import FtpchatUser, ftpchat_binary

PASS = 'correct horse battery staple'
WAIT = 15  # seconds for anything that crosses the server (poll 200 ms on both mounts)
# SGR parameters that set a colour (foreground, background, 256-colour, bright).
COLOUR_SGR = re.compile(r'^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$')


class Terminal:
    """One tmux window running a command, on a tmux server of its own (-L), so nothing here
    touches anybody else's tmux."""

    serial = itertools.count()

    def __init__(self, test, command, width=100, height=30, env=None):
        self.socket = 'ftpchat-chat-%d-%d' % (os.getpid(), next(Terminal.serial))
        self.steps = h.Steps(test._testMethodName)
        self.status_file = os.path.join(h.make_scratch('chat-term'), 'status')
        environment = {'LANG': 'C.UTF-8', 'LC_ALL': 'C.UTF-8', 'TERM': 'screen'}
        environment.update(env or {})
        assignments = ' '.join('%s=%s' % (k, shlex.quote(v)) for k, v in environment.items())
        unset = ' '.join('-u %s' % k for k in ('NO_COLOR',) if k not in environment)
        script = 'env %s %s %s; echo $? > %s; sleep 600' % (
            unset, assignments, ' '.join(shlex.quote(c) for c in command),
            shlex.quote(self.status_file))
        self.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'chat', '-x', str(width),
                  '-y', str(height), script)
        test.addCleanup(self.close)

    def tmux(self, *args):
        return subprocess.run(['tmux', '-L', self.socket] + list(args), check=True,
                              capture_output=True, text=True, timeout=10).stdout

    def close(self):
        subprocess.run(['tmux', '-L', self.socket, 'kill-server'], capture_output=True, timeout=10)

    def type(self, text):
        self.tmux('send-keys', '-t', 'chat', '-l', text)

    def keys(self, *names):
        self.tmux('send-keys', '-t', 'chat', *names)

    def resize(self, width, height):
        self.tmux('resize-window', '-t', 'chat', '-x', str(width), '-y', str(height))

    def screen(self, escapes=False):
        out = self.tmux('capture-pane', '-p', '-t', 'chat', *(['-e'] if escapes else []))
        return [line.rstrip() for line in out.split('\n')][:-1]

    def wait(self, step, predicate, timeout=WAIT):
        """Waits until predicate(screen rows) holds and returns the rows. A failure names the
        step, its time and the earlier steps' (harness Steps), and shows the screen."""
        def check():
            rows = self.screen()
            return rows if predicate(rows) else None
        with self.steps(step, on_failure=lambda: 'the screen:\n' + '\n'.join(self.screen())):
            return h.wait_for(check, timeout, interval=0.1, message=step)

    def step(self, name):
        """A step that is not about the screen (e.g. a line reaching the other mount)."""
        return self.steps(name, on_failure=lambda: 'the screen:\n' + '\n'.join(self.screen()))

    def wait_text(self, step, text, timeout=WAIT):
        return self.wait(step, lambda rows: any(text in r for r in rows), timeout)

    def exit_status(self, timeout=10):
        def read():
            with open(self.status_file) as f:
                return f.read().strip()
        return int(h.wait_for(read, timeout, message='the client to exit'))


def peek(path):
    """The file's text read with O_NOATIME: the mount counts nothing as seen."""
    fd = os.open(path, os.O_RDONLY | os.O_NOATIME)
    try:
        return os.read(fd, 1 << 20).decode('utf-8', 'replace')
    finally:
        os.close(fd)


def unread(mount, room):
    return int(h.read_status(mount, room)['unread'])


def row_index(rows, text):
    return next(i for i, r in enumerate(rows) if text in r)


class ChatClient(h.ServerTestCase):
    def setUp(self):
        self.base = self.server.url('chat-%s/' % self._testMethodName)

    def mount(self, nick, url=None):
        return self.start_mount(url or self.base, nick, PASS, options=['poll=200'])

    def rooms(self, maker, other, *names):
        """Creates the rooms on `maker`'s mount and waits until `other`'s lists them."""
        for name in names:
            os.mkdir(maker.path(name))
        h.wait_for(lambda: all(os.path.isdir(other.path(n)) for n in names), WAIT,
                   message='rooms %s seen by the second mount' % (names,))

    def client(self, directory, *args, **kw):
        return Terminal(self, [ftpchat_binary(), 'chat', directory] + list(args), **kw)

    def assert_layout(self, term, width, height, step):
        rows = term.screen()
        self.assertEqual(len(rows), height, '%s: rows %r' % (step, rows))
        self.assertTrue(rows[-1].startswith('> '), '%s: input line %r' % (step, rows[-1]))
        self.assertIn('[1:general]', rows[-2], '%s: status line %r' % (step, rows[-2]))
        for r in rows:
            self.assertLessEqual(len(r), width, '%s: row wider than the terminal: %r' % (step, r))

    def test_typing_is_never_broken_by_arriving_messages(self):
        a, b = self.mount('alice'), self.mount('bob')
        self.rooms(a, b, 'general')
        h.append_line(b.outbox('general'), 'earlier message')
        term = self.client(a.path('general'))
        term.wait_text('history shown', '<bob> earlier message')
        half = 'half a line \u00e9\u65e5\u672c'
        term.type(half)
        term.wait('half line typed', lambda rows: rows[-1] == '> ' + half)
        h.append_line(b.outbox('general'), 'bob speaks meanwhile')
        rows = term.wait_text('message arrives while typing', '<bob> bob speaks meanwhile')
        rows = term.screen()
        self.assertEqual(rows[-1], '> ' + half, 'the half line is intact on the input line')
        self.assertLess(row_index(rows, '<bob> bob speaks meanwhile'), len(rows) - 2,
                        'the message is above the status and input lines')
        term.type(' and done')
        term.keys('Enter')
        with term.step("alice's line in bob's log"):
            h.wait_for(lambda: '<alice> %s and done' % half in h.read_text(b.log('general')), WAIT)
        term.wait('sent line marked delivered',
                  lambda rows: any(('<alice> %s and done' % half) in r and '[on server]' in r
                                   for r in rows))
        self.assertEqual(term.screen()[-1], '>', 'the input line is empty after Enter')
        # /me is a plain message that reads as an action in any log.
        term.type('/me waves')
        term.keys('Enter')
        with term.step("the /me line in bob's log"):
            h.wait_for(lambda: '<alice> * alice waves' in h.read_text(b.log('general')), WAIT)
        term.type('/quit')
        term.keys('Enter')
        self.assertEqual(term.exit_status(), 0)

    def test_tab_completes_the_nicks_of_the_room(self):
        a, b = self.mount('alice'), self.mount('bob')
        self.rooms(a, b, 'general')
        h.append_line(b.outbox('general'), 'anyone here?')
        term = self.client(a.path('general'))
        term.wait_text("bob's line shown", '<bob> anyone here?')
        term.type('Bo')
        term.keys('Tab')
        term.wait('at the start of the line: an address', lambda rows: rows[-1] == '> bob:')
        term.type('yes, and thanks b')
        term.keys('Tab')
        term.wait('within the line: the nick and a space',
                  lambda rows: rows[-1] == '> bob: yes, and thanks bob')
        term.type('x')  # the space after the nick is there
        term.wait('typed on', lambda rows: rows[-1] == '> bob: yes, and thanks bob x')
        term.keys('BSpace')
        term.type('zz')
        term.keys('Tab')  # nobody starts so: a tab, as before
        term.keys('Enter')
        with term.step("alice's completed line in bob's log"):
            h.wait_for(lambda: '<alice> bob: yes, and thanks bob zz\t' in h.read_text(b.log('general')),
                       WAIT)
        term.type('/quit')
        term.keys('Enter')
        self.assertEqual(term.exit_status(), 0)

    def test_scrollback_and_resize(self):
        a, b = self.mount('alice'), self.mount('bob')
        self.rooms(a, b, 'general')
        with open(b.outbox('general'), 'w') as f:  # 60 lines in one write
            f.write(''.join('line %02d of the history\n' % i for i in range(1, 61)))
        h.wait_for(lambda: 'line 60 of' in h.read_text(a.log('general')), WAIT,
                   message='the 60 lines in alice\'s log')
        term = self.client(a.path('general'), '--history', '10')
        term.wait_text('newest line shown', 'line 60 of the history')
        self.assertFalse(any('line 01 of' in r for r in term.screen()))
        term.keys('PPage')
        term.wait_text('PgUp scrolls', 'more below: PgDn')
        for _ in range(8):  # PgUp loads older lines at the top as it goes
            if any('line 01 of' in r for r in term.screen()):
                break
            term.keys('PPage')
            time.sleep(0.3)
        rows = term.wait_text('oldest line after PgUp', 'line 01 of the history')
        self.assertFalse(any('line 60 of' in r for r in rows), 'PgUp moved the view up')
        h.append_line(b.outbox('general'), 'arrives while scrolled')
        time.sleep(1.5)
        self.assertTrue(any('line 01 of' in r for r in term.screen()),
                        'a new message does not move a scrolled view')
        for _ in range(10):
            term.keys('NPage')
        rows = term.wait_text('back at the bottom', 'arrives while scrolled')
        self.assertFalse(any('more below' in r for r in rows))
        # Resize: the layout follows, long lines wrap, a half-typed line survives.
        term.type('still typing')
        term.resize(60, 15)
        term.wait('layout at 60x15', lambda rows: len(rows) == 15 and rows[-1] == '> still typing')
        self.assert_layout(term, 60, 15, 'after resize to 60x15')
        h.append_line(b.outbox('general'), 'a long message that cannot fit on one row of sixty '
                      'columns and so wraps under its text')
        rows = term.wait_text('long message wrapped', 'wraps under its text')
        self.assert_layout(term, 60, 15, 'after a long message')
        term.resize(100, 30)
        term.wait('layout at 100x30', lambda rows: len(rows) == 30 and rows[-1] == '> still typing')
        self.assert_layout(term, 100, 30, 'after resize to 100x30')

    def test_rooms_unread_counts_and_marker(self):
        a, b = self.mount('alice'), self.mount('bob')
        self.rooms(a, b, 'dev', 'general', 'random')
        h.append_line(b.outbox('general'), 'in general before')
        for text in ('first unread', 'alice: second, with a mention'):
            h.append_line(b.outbox('random'), text)
        with self.steps_for('unread counted by the mount before the client starts'):
            h.wait_for(lambda: unread(a, 'random') == 2 and unread(a, 'general') == 1, WAIT)
        # The mount's root: every room, the first shown. Unread counts and alice's nick (for
        # the mention) come from the mount's ROOM/status: what arrived before the client ran
        # counts too.
        term = self.client(a.mountpoint)
        term.wait_text('rooms with the mount\'s unread counts', '[1:dev] 2:general(1) 3:random(2!)')
        h.append_line(b.outbox('random'), 'third unread')
        term.wait_text('unread count with a mention', '3:random(3!)')
        with term.step('the client peeks at rooms it does not show: still unread in the mount'):
            self.assertEqual(unread(a, 'random'), 3)
            self.assertEqual(h.read_text(os.path.join(a.mountpoint, '.unread')), '1 general\n3 random\n')
        term.keys('M-3')
        rows = term.wait_text('switched with Alt+3', '[3:random]')
        marker = row_index(rows, '--- new messages ---')
        self.assertIn('<bob> first unread', rows[marker + 1], 'marker above the first unread')
        self.assertNotIn('(3', rows[-2], 'no unread count for the room shown')
        with term.step('the lines shown are seen: the mount counts 0'):
            h.wait_for(lambda: unread(a, 'random') == 0, WAIT)
        term.type('/join general')
        term.keys('Enter')
        term.wait_text('/join general', '[2:general]')
        h.append_line(b.outbox('random'), 'one more')
        term.wait_text('unread count after leaving', '3:random(1)')
        with term.step('.unread lists what the screen did not show'):
            h.wait_for(lambda: h.read_text(os.path.join(a.mountpoint, '.unread')) == '1 random\n', WAIT)
        term.type('/rooms')
        term.keys('Enter')
        term.wait_text('/rooms', 'rooms:  1:dev  2:general (shown)  3:random (1 unread)')
        term.type('/join random')
        term.keys('Enter')
        rows = term.wait_text('/join random', '[3:random]')
        marker = row_index(rows, '--- new messages ---')
        self.assertIn('<bob> one more', rows[marker + 1], 'the marker moved to the new message')
        self.assertLess(row_index(rows, 'alice: second'), marker, 'read messages above it')
        term.type('/members')
        term.keys('Enter')
        term.wait_text('/members', 'bob  last spoke')

    def steps_for(self, name):
        return h.Steps(self._testMethodName)(name)

    def test_colours_and_no_color(self):
        a, b = self.mount('alice'), self.mount('bob')
        self.rooms(a, b, 'general')
        h.append_line(b.outbox('general'), 'hello alice')

        def sgr_params(term):
            text = '\n'.join(term.screen(escapes=True))
            return [p for seq in re.findall(r'\x1b\[([0-9;]*)m', text) for p in seq.split(';')]

        coloured = self.client(a.path('general'), '--nick', 'alice')
        coloured.wait_text('colour client shows the log', '<bob> hello alice')
        params = sgr_params(coloured)
        self.assertTrue(any(COLOUR_SGR.match(p) for p in params), 'nick colours: %r' % params)
        self.assertIn('7', params, 'the mention is highlighted (reverse)')
        coloured.close()
        plain = self.client(a.path('general'), '--nick', 'alice', env={'NO_COLOR': '1'})
        plain.wait_text('NO_COLOR client shows the log', '<bob> hello alice')
        params = sgr_params(plain)
        self.assertFalse([p for p in params if COLOUR_SGR.match(p)],
                         'no colour with NO_COLOR: %r' % params)
        self.assertIn('7', params, 'the mention is still highlighted without colour')

    def test_line_pending_until_the_server_has_it(self):
        proxy = h.TcpProxy(self.server.port)
        self.addCleanup(proxy.stop)
        a = self.mount('alice', url=self.server.url('chat-%s/' % self._testMethodName,
                                                     port=proxy.port))
        b = self.mount('bob')
        self.rooms(a, b, 'general')
        term = self.client(a.path('general'))
        term.type('first, while the server is there')
        term.keys('Enter')
        term.wait_text('first line delivered', '[on server]')
        proxy.set_down(True)  # the listener closes within a tick; then cut what is open
        h.wait_for(lambda: not h.port_accepts(proxy.port), 5, message='the proxy refusing')
        proxy.drop_all()
        term.type('second, while it is away')
        term.keys('Enter')
        rows = term.wait('second line pending',
                         lambda rows: any('second, while it is away  [pending]' in r for r in rows))
        self.assertIn('1 pending', rows[-2])
        time.sleep(1)
        self.assertNotIn('second, while', h.read_text(b.log('general')))
        proxy.set_down(False)
        term.wait('second line delivered',
                  lambda rows: any('second, while it is away  [on server]' in r for r in rows),
                  timeout=30)
        with term.step("the second line in bob's log"):
            h.wait_for(lambda: 'second, while it is away' in h.read_text(b.log('general')), WAIT)

    def test_a_read_receipt_appears_on_a_sent_line(self):
        alice, bob = FtpchatUser('alice'), FtpchatUser('bob')
        alice.make_identity()
        bob_id = bob.make_identity()
        url = self.base + 'team'
        alice.run('init', url, '--member', 'bob=' + bob_id)

        def mount(user):
            return self.start_mount(self.base, user.nick, None, client_dir=user.client,
                                    options=['poll=200', 'receipts', 'chatid=' + user.chatid])
        a, b = mount(alice), mount(bob)
        term = self.client(a.path('team'))
        term.type('ping, bob')
        term.keys('Enter')
        term.wait_text('sent line on the server', 'ping, bob  [on server]')
        with term.step("bob's mount has it; bob reads it with cat"):
            h.wait_for(lambda: 'ping, bob' in peek(b.log('team')), WAIT)
            self.assertIn('ping, bob', h.read_text(b.log('team')))
        term.wait_text('the receipt appears', '<alice> ping, bob  [read by bob]', timeout=30)
        term.type('/members')
        term.keys('Enter')
        term.wait_text('/members: who read up to where', 'bob (member)  read up to ')

    def test_without_a_terminal_one_room_in_line_mode(self):
        a = self.mount('alice')
        os.mkdir(a.path('general'))
        root = subprocess.run([ftpchat_binary(), 'chat', a.mountpoint], input='', text=True,
                              capture_output=True, timeout=30)
        self.assertEqual(root.returncode, 2, root.stderr)
        self.assertEqual(root.stderr, 'ftpchat: %s is not a room folder; without a terminal (or '
                         'with TERM=dumb) chat shows one room: give ROOT/NAME\n' % a.mountpoint)
        room = subprocess.run([ftpchat_binary(), 'chat', a.path('general')],
                              input='from a pipe\n', text=True, capture_output=True, timeout=30)
        self.assertEqual(room.returncode, 0, room.stderr)
        self.assertIn('<alice> from a pipe', room.stdout)  # no escape sequences, plain lines
        self.assertNotIn('\x1b', room.stdout)


if __name__ == '__main__':
    unittest.main()
