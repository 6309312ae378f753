# WebDAV through real mounts and the real ftpchat command, on Apache (mod_dav_fs) and lighttpd
# (mod_webdav) over TLS with basic auth: the chat scenarios and eight writers at once, as on
# every FTP server (chat_scenarios.ChatScenarios, test_concurrency.ConcurrentSenders); then
# WebDAV's own checks: how sends reach the server in each append mode and what ROOM/status says
# about it, passwords from ~/.netrc, names that need escaping, TLS trust. Faults are in
# test_dav_faults.py.
#   cd tests/integration && FTPCHATFS_BIN=../../build/ftpchatfs PYTHONPATH=../harness \
#     /usr/bin/python3 -m unittest -v test_dav
import os
import unittest

import chatharness as h
from chat_scenarios import PASS, ChatScenarios, TlsTrustChecks
from ftpchat_tool import FtpchatUser
from test_concurrency import ConcurrentSenders

RANGED = 'append (ranged PUT, size-checked)'
UNPROBED = 'append (ranged PUT not probed yet)'  # a mount that has not sent yet


class ScenariosOnApacheDavs(ChatScenarios, unittest.TestCase):
    """Apache mod_dav_fs over TLS with basic auth: sends append by guarded ranged PUT."""
    make_server = classmethod(lambda cls: h.ApacheDavServer(tls=True))

    def extra_options(self):
        return ['cacert=%s' % self.server.cert_path]


class ScenariosOnLighttpdDavs(ChatScenarios, unittest.TestCase):
    """lighttpd mod_webdav (partial-put-copy-modify) over TLS with basic auth."""
    make_server = classmethod(lambda cls: h.LighttpdDavServer(tls=True))

    def extra_options(self):
        return ['cacert=%s' % self.server.cert_path]


class DavsSenders(ConcurrentSenders):
    def mount_options(self, server):
        return ['poll=200', 'cacert=%s' % server.cert_path]


class ConcurrentOnApacheDavs(DavsSenders, unittest.TestCase):
    def make_server(self):
        return h.ApacheDavServer(tls=True).start()


class ConcurrentOnLighttpdDavs(DavsSenders, unittest.TestCase):
    def make_server(self):
        return h.LighttpdDavServer(tls=True).start()


def writer_requests(server, begin, end):
    """(method, path) of the requests between two marks that touched a writer file or a
    temporary file beside one (the last path segment ends in .w or holds .tmp-)."""
    out = []
    for method, path, _status in server.requests_between(begin, end):
        name = path.rsplit('/', 1)[-1]
        if name.endswith('.w') or '.tmp-' in name:
            out.append((method, path))
    return out


class DavChecks:
    """Mixed into an h.ServerTestCase per server kind (server_class makes the server)."""

    expected_mode = RANGED

    def options(self):
        return ['poll=200'] + (['cacert=%s' % self.server.cert_path] if self.server.tls else [])

    def mount(self, nick, url=None, client=None, options=()):
        return self.start_mount(url or self.server.url('chat-%s/' % self._testMethodName), nick,
                                PASS, client_dir=client, options=self.options() + list(options))

    def test_mode_learnt_at_first_send_and_each_send_guarded(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        b = self.mount('bob')
        h.append_line(a.outbox('r'), 'first')
        h.wait_for(lambda: '<alice> first' in h.read_text(b.log('r')), 10)
        self.assertEqual(h.read_status(a, 'r')['transport mode'], self.expected_mode)
        self.assertEqual(h.read_status(b, 'r')['transport mode'], UNPROBED)
        self.server.mark('before-' + self._testMethodName)
        h.append_line(a.outbox('r'), 'second')
        h.wait_for(lambda: '<alice> second' in h.read_text(b.log('r')), 10)
        self.server.mark('after-' + self._testMethodName)
        sends = writer_requests(self.server, 'before-' + self._testMethodName,
                                'after-' + self._testMethodName)
        own = [(m, p) for m, p in sends if m != 'GET' and m != 'PROPFIND']
        self.check_send_requests(own)
        # Nothing of the probe or of rewrites is left, and the room folder holds what it should.
        self.assertEqual(self.server.stray_files(), [])
        self.assertEqual(os.listdir(a.path()), ['r'])

    def check_send_requests(self, own):
        # Ranged PUT: the size asked immediately before and checked after.
        self.assertEqual([m for m, _ in own], ['HEAD', 'PUT', 'HEAD'], own)
        self.assertEqual(len({p for _, p in own}), 1, own)

    def test_password_from_netrc(self):
        client = h.ClientDir()
        with open(os.path.join(client.home, '.netrc'), 'w') as f:
            f.write('machine 127.0.0.1 login %s password %s\n' % (self.server.user, self.server.password))
        url = self.server.url('chat-netrc/').replace(':%s@' % self.server.password, '@', 1)
        self.assertNotIn(self.server.password, url)
        a = self.mount('alice', url=url, client=client)
        os.mkdir(a.path('r'))
        h.append_line(a.outbox('r'), 'password from netrc')
        self.assertIn('<alice> password from netrc', h.read_text(a.log('r')))

    def test_wrong_password_is_refused_with_exit_5(self):
        url = self.server.url('chat-badpw/').replace(':%s@' % self.server.password, ':Xyzzy-99@', 1)
        m = h.Mount(url, 'alice', PASS, options=self.options(), foreground=False)
        self.addCleanup(m.close)
        r = m.start(check=False)
        self.assertFalse(r.mounted)
        self.assertEqual(r.returncode, 5, r.stderr)
        last = r.stderr.strip().splitlines()[-1]
        self.assertIn('401', last)
        self.assertIn('check the user name and password', last)
        self.assertNotIn('Xyzzy-99', r.stderr)

    def test_names_that_need_escaping(self):
        base = 'chat dir %s #1 \u00e9t\u00e9/' % self._testMethodName
        a = self.mount('alice', url=self.server.url(base))
        b = self.mount('bob', url=self.server.url(base))
        os.mkdir(a.path('r'))
        h.append_line(a.outbox('r'), 'through escaped names')
        h.wait_for(lambda: os.path.exists(b.log('r')), 10)
        h.wait_for(lambda: '<alice> through escaped names' in h.read_text(b.log('r')), 10)
        self.assertEqual(len(h.writer_files_under(self.server.local_path(base))), 1)

    def test_ftpchat_command(self):
        user = FtpchatUser('alice', PASS)
        room = self.server.url('ftpchat-cli/') + 'general'
        tls = ['--cacert', self.server.cert_path] if self.server.tls else []
        user.run('init', *tls, room)
        user.run('send', *tls, room, 'over webdav')
        self.assertIn('<alice> over webdav', user.run('read', *tls, room).stdout)
        self.assertEqual(user.run('verify', *tls, room).returncode, 0)


class OnApacheDavs(DavChecks, h.ServerTestCase):
    server_class = staticmethod(lambda: h.ApacheDavServer(tls=True))

    def test_rewrite_option_skips_the_probe_and_rewrites(self):
        a = self.mount('alice', options=['rewrite'])
        os.mkdir(a.path('r'))
        b = self.mount('bob')
        self.server.mark('rewrite-begin')
        for text in ('first', 'second'):
            h.append_line(a.outbox('r'), text)
            h.wait_for(lambda: '<alice> %s' % text in h.read_text(b.log('r')), 10)
        self.server.mark('rewrite-end')
        self.assertEqual(h.read_status(a, 'r')['transport mode'], 'rewrite (-o rewrite)')
        requests = self.server.requests_between('rewrite-begin', 'rewrite-end')
        self.assertEqual([p for _m, p, _s in requests if '.ftpchat-probe-' in p], [])
        own = [m for m, _p in writer_requests(self.server, 'rewrite-begin', 'rewrite-end')
               if m not in ('GET', 'PROPFIND')]
        self.assertEqual(own, ['PUT', 'MOVE', 'PUT', 'MOVE'])


class OnLighttpdDavs(DavChecks, h.ServerTestCase):
    server_class = staticmethod(lambda: h.LighttpdDavServer(tls=True))


class OnLighttpdWithoutPartialPut(DavChecks, h.ServerTestCase):
    """lighttpd refusing Content-Range PUT (400): sends rewrite the writer's file."""
    server_class = staticmethod(lambda: h.LighttpdDavServer(partial_put=False))
    expected_mode = 'rewrite (server refuses Content-Range PUT, HTTP 400)'

    def check_send_requests(self, own):
        # The whole file to a temporary name beside it, then MOVE over it.
        # (the access log names a MOVE by its source).
        self.assertEqual([m for m, _ in own], ['PUT', 'MOVE'], own)
        self.assertIn('.tmp-', own[0][1])
        self.assertEqual(own[0][1], own[1][1])


class TlsTrust(TlsTrustChecks, unittest.TestCase):
    make_server = classmethod(lambda cls: h.ApacheDavServer(tls=True))

    def test_untrusted_certificate_is_refused(self):
        super().test_untrusted_certificate_is_refused()
        # Not a request got through (Apache logs each as it finishes).
        self.assertEqual([p for _m, p, _s in self.server.requests() if p.startswith('/refused')], [])


if __name__ == '__main__':
    unittest.main()
