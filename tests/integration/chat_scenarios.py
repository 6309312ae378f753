# The core chat scenarios as a mixin, so that one suite runs against every server kind:
# test_core.py runs it on pyftpdlib, test_compat.py on each kind of the compatibility matrix.
# TlsTrustChecks: an untrusted certificate refused, -o insecure accepted (FTPS, WebDAV).
# A subclass (also a unittest.TestCase) sets make_server(); kinds that need client set-up
# (SFTP known_hosts and keys, TLS trust) override prepare_client() and extra_options().
import os
import threading

import chatharness as h

PASS = 'correct horse battery staple'


def server_bytes(server):
    """Every file under the server's data folder: {relative path: bytes}."""
    out = {}
    for root, _dirs, files in os.walk(server.data_dir):
        for name in files:
            path = os.path.join(root, name)
            with open(path, 'rb') as f:
                out[os.path.relpath(path, server.data_dir)] = f.read()
    return out


class LocalFolder:
    """A shared folder (file://) in the shape of a harness server: nothing to start."""

    kind = 'file'

    def __init__(self):
        self.dir = h.make_scratch('folder')
        self.data_dir = os.path.join(self.dir, 'data')
        os.makedirs(self.data_dir)

    def start(self):
        return self

    def stop(self):
        pass

    def make_dir(self, path):
        full = os.path.join(self.data_dir, path)
        os.makedirs(full, exist_ok=True)
        return full

    def url(self, path='chat/', create=True):
        if create:
            self.make_dir(path)
        return 'file://' + os.path.join(self.data_dir, path)


class ServerPerClass:
    """One server for a TestCase class: make_server() returns it unstarted, as cls.server."""

    @classmethod
    def make_server(cls):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        cls.server = cls.make_server()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()


class ChatScenarios(ServerPerClass):
    concurrent_count = 20  # messages per sender in the concurrency scenario
    transport_mode = None  # if set: what ROOM/status says after the first exchange

    def setUp(self):
        self.url = self.server.url('chat-%s/' % self._testMethodName)
        self.mounts = []

    def tearDown(self):
        for m in self.mounts:
            m.close()

    def prepare_client(self, client):
        """Per-user set-up before a mount (e.g. known_hosts)."""

    def extra_options(self):
        return []

    def mount(self, nick, passphrase=PASS, **kw):
        kw.setdefault('options', ['poll=200'])
        kw['options'] = list(kw['options']) + self.extra_options()
        client = kw.pop('client_dir', None) or h.ClientDir()
        self.prepare_client(client)
        m = h.Mount(self.url, nick, passphrase, client_dir=client, **kw)
        self.mounts.append(m)
        m.start()
        return m

    def test_message_from_a_reaches_b_in_cat_and_tail_f(self):
        a = self.mount('alice')
        os.mkdir(a.path('general'))
        b = self.mount('bob')
        self.assertEqual(os.listdir(b.path()), ['general'])
        with h.TailFollower(b.log('general')) as tail:
            h.append_line(a.outbox('general'), 'hello everyone')
            line = tail.wait_for_line('<alice> hello everyone', timeout=10)
        self.assertRegex(line, r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d <alice> hello everyone$')
        h.wait_for(lambda: '<alice> hello everyone' in h.read_text(b.log('general')), 5)
        h.append_line(b.outbox('general'), 'hi alice')
        h.wait_for(lambda: '<bob> hi alice' in h.read_text(a.log('general')), 5)
        if self.transport_mode:
            for m in (a, b):
                self.assertEqual(h.read_status(m, 'general')['transport mode'], self.transport_mode)

    def test_history_survives_unmount_and_remount(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        for i in range(5):
            h.append_line(a.outbox('r'), 'message %d' % i)
        before = h.read_text(a.log('r'))
        self.assertEqual(a.unmount(), 0)
        again = self.mount('alice', client_dir=a.client)
        self.assertEqual(h.read_text(again.log('r')), before)
        h.append_line(again.outbox('r'), 'after remount')
        text = h.read_text(again.log('r'))
        self.assertTrue(text.startswith(before))
        self.assertIn('<alice> after remount', text)
        files = h.writer_files_under(os.path.join(self.server.data_dir,
                                                  'chat-' + self._testMethodName))
        self.assertTrue(files)
        writers = {h.writer_id(f) for f in files}
        self.assertEqual(len(writers), 1, 'a remount reuses its writer id: %s' % files)

    def test_two_clients_sending_at_once_lose_nothing(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        b = self.mount('bob')
        count = self.concurrent_count

        def send(m, nick):
            for i in range(count):
                h.append_line(m.outbox('r'), '%s %d' % (nick, i))
        threads = [threading.Thread(target=send, args=(m, n)) for m, n in ((a, 'alice'), (b, 'bob'))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        for m in (a, b):
            h.wait_for(lambda: len(h.read_text(m.log('r')).splitlines()) >= 2 * count, 15)
            lines = h.read_text(m.log('r')).splitlines()
            self.assertEqual(len(lines), 2 * count)
            for nick in ('alice', 'bob'):
                mine = [l.split('> ', 1)[1] for l in lines if '<%s>' % nick in l]
                self.assertEqual(mine, ['%s %d' % (nick, i) for i in range(count)])
        leftovers = [p for p in server_bytes(self.server) if '.tmp-' in p]
        self.assertEqual(leftovers, [], 'temporary files left on the server')


class TlsTrustChecks(ServerPerClass):
    """Mixed into a TestCase per TLS server kind: make_server() returns an unstarted server with
    a self-signed certificate; tls_options are the mount options that ask for TLS."""

    tls_options = []

    def test_untrusted_certificate_is_refused(self):
        m = h.Mount(self.server.url('refused/'), 'alice', PASS, options=self.tls_options,
                    foreground=False)
        self.addCleanup(m.close)
        r = m.start(check=False)
        self.assertFalse(r.mounted)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn('certificate', r.stderr.strip().splitlines()[-1])


    def test_insecure_accepts_it_with_a_warning(self):
        with h.Mount(self.server.url('insecure/'), 'alice', PASS,
                     options=self.tls_options + ['insecure']) as m:
            self.assertIn('-o insecure', m.log_text())
            os.mkdir(m.path('r'))
            h.append_line(m.outbox('r'), 'over unverified tls')
            self.assertIn('<alice> over unverified tls', h.read_text(m.log('r')))
