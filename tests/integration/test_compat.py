# The compatibility matrix: the chat scenarios (chat_scenarios.ChatScenarios) through real
# mounts on every server kind users meet, plus the trust checks of the secure ones:
# unknown / changed SSH host keys, accept_new_hostkey, untrusted TLS certificates, -o insecure.
#   cd tests/integration && FTPCHATFS_BIN=... PYTHONPATH=../harness /usr/bin/python3 -m unittest -v test_compat
import os
import shutil
import subprocess
import unittest

import chatharness as h
from chat_scenarios import PASS, ChatScenarios, LocalFolder, TlsTrustChecks
from ftpchat_tool import FtpchatUser

MINIMAL_DISABLED = ('APPE', 'REST', 'SIZE', 'MLSD', 'MLST')
FTP_MODE = 'append, listing by STAT'  # every FTP server here lists a folder in STAT's reply


class OnVsftpd(ChatScenarios, unittest.TestCase):
    make_server = classmethod(lambda cls: h.VsftpdServer())
    transport_mode = FTP_MODE


class OnPureFtpd(ChatScenarios, unittest.TestCase):
    make_server = classmethod(lambda cls: h.PureFtpdServer())
    transport_mode = FTP_MODE


class OnProftpd(ChatScenarios, unittest.TestCase):
    make_server = classmethod(lambda cls: h.ProftpdServer())
    transport_mode = FTP_MODE


class OnPyftpdlib(ChatScenarios, unittest.TestCase):
    make_server = classmethod(lambda cls: h.PyFtpdServer())
    transport_mode = FTP_MODE


class OnVsftpdExplicitTls(ChatScenarios, unittest.TestCase):
    make_server = classmethod(lambda cls: h.VsftpdServer(tls=True))
    transport_mode = FTP_MODE

    def extra_options(self):
        return ['tls=require', 'cacert=%s' % self.server.cert_path]


class OnPureFtpdExplicitTls(ChatScenarios, unittest.TestCase):
    make_server = classmethod(lambda cls: h.PureFtpdServer(tls=True))
    transport_mode = FTP_MODE

    def extra_options(self):
        return ['tls=require', 'cacert=%s' % self.server.cert_path]


class OnOpensshSftp(ChatScenarios, unittest.TestCase):
    make_server = classmethod(lambda cls: h.SshdServer())

    def prepare_client(self, client):
        if not os.path.exists(client.known_hosts):
            client.trust_ssh_host(self.server)

    def extra_options(self):
        return ['identity=%s' % self.server.identity]

    def test_ssh_logins_are_the_mounts_connections_not_its_requests(self):
        """A login per connection of the pool (-o connections, default 4), however many
        requests: one with connections=1."""
        for connections, most in ((None, 4), (1, 1)):
            before = self.server.logins()
            options = ['poll=200'] + (['connections=%d' % connections] if connections else [])
            a = self.mount('alice', options=options)
            room = 'r%s' % (connections or '')
            os.mkdir(a.path(room))
            for i in range(5):
                h.append_line(a.outbox(room), 'm%d' % i)
            h.wait_for(lambda: len(h.read_text(a.log(room)).splitlines()) == 5, 5)
            logins = self.server.logins() - before
            self.assertGreaterEqual(logins, 1)
            self.assertLessEqual(logins, most, 'connections=%s' % connections)
            a.close()

    def test_default_key_home_relative_path_and_exclusive_mkdir(self):
        # No -o identity: ~/.ssh/id_ed25519 is offered. The URL's /~/ is the login's home.
        client = h.ClientDir()
        shutil.copy(self.server.identity, os.path.join(client.home, '.ssh', 'id_ed25519'))
        client.trust_ssh_host(self.server)
        folder = 'ftpchat-t-home-%d' % os.getpid()
        home = os.path.expanduser('~root')
        self.addCleanup(shutil.rmtree, os.path.join(home, folder), True)
        os.makedirs(os.path.join(home, folder))
        self.url = 'sftp://root@127.0.0.1:%d/~/%s/' % (self.server.port, folder)
        self.extra_options = lambda: []
        a = self.mount('alice', client_dir=client)
        b = self.mount('bob', client_dir=h.ClientDir(client.root))
        os.mkdir(a.path('r'))
        with self.assertRaises(FileExistsError):
            os.mkdir(a.path('r'))
        with self.assertRaises(FileExistsError):
            os.mkdir(b.path('r'))  # b may not have polled yet: then the server refuses it
        h.append_line(a.outbox('r'), 'in the home folder')
        h.wait_for(lambda: '<alice> in the home folder' in h.read_text(b.log('r')), 10)
        self.assertEqual(len(os.listdir(os.path.join(home, folder))), 1)


class OnMinimalPyftpdlib(ChatScenarios, unittest.TestCase):
    """No APPE, REST, SIZE, MLSD, MLST; LIST in DOS style: sends rewrite the writer's file."""
    make_server = classmethod(lambda cls: h.PyFtpdServer(disabled_commands=MINIMAL_DISABLED,
                                                         dos_list=True))


class OnSharedFolder(ChatScenarios, unittest.TestCase):
    make_server = classmethod(lambda cls: LocalFolder())

    def test_plain_local_path_works_too(self):
        self.url = self.server.url('plain/').replace('file://', '', 1)
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        h.append_line(a.outbox('r'), 'via a plain path')
        self.assertIn('<alice> via a plain path', h.read_text(a.log('r')))
        h.wait_for(lambda: h.writer_files_under(os.path.join(self.server.data_dir, 'plain')), 10)


def start_failure(test, url, client, options):
    """Mounts expecting failure; returns the MountResult."""
    m = h.Mount(url, 'alice', PASS, client_dir=client, options=options, foreground=False)
    test.addCleanup(m.close)
    return m.start(check=False)


class SshHostKeyChecks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = h.SshdServer()
        cls.server.start()
        cls.url = cls.server.url('chat/')
        cls.host = '[127.0.0.1]:%d' % cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def key_option(self):
        return 'identity=%s' % self.server.identity

    def test_unknown_host_key_is_refused_with_the_fix(self):
        client = h.ClientDir()
        r = start_failure(self, self.url, client, [self.key_option()])
        self.assertFalse(r.mounted)
        self.assertEqual(r.returncode, 4, r.stderr)
        last = r.stderr.strip().splitlines()[-1]
        self.assertIn(self.host, last)
        self.assertIn('not in %s' % client.known_hosts, last)
        self.assertIn('accept_new_hostkey', last)
        self.assertIn('SHA256:', last)
        self.assertFalse(os.path.exists(client.known_hosts))
        self.assertEqual(os.listdir(self.server.local_path('chat')), [])

    def test_accept_new_hostkey_records_it_once(self):
        client = h.ClientDir()
        with open(client.known_hosts, 'w') as f:
            f.write('# mine\nother.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample')  # no newline
        m = h.Mount(self.url, 'alice', PASS, client_dir=client,
                    options=[self.key_option(), 'accept_new_hostkey'])
        with m:
            self.assertIn('recorded the new host key of %s' % self.host, m.log_text())
        with open(client.known_hosts) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[:2], ['# mine', 'other.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample'])
        self.assertEqual(lines[2:], [self.server.host_key_line])
        with h.Mount(self.url, 'alice', PASS, client_dir=client, options=[self.key_option()]):
            pass  # trusted now, without the option
        with open(client.known_hosts) as f:
            self.assertEqual(len(f.read().splitlines()), 3)

    def test_ftpchat_accept_new_hostkey(self):
        user = FtpchatUser('alice', PASS)
        room = self.server.url('ftpchat-cli/') + 'general'  # apart from the mount tests' chat/
        refused = user.run('init', '--identity', self.server.identity, room, check=False)
        self.assertEqual(refused.returncode, 4, refused.stderr)
        self.assertIn('--accept-new-hostkey', refused.stderr)
        self.assertFalse(os.path.exists(user.client.known_hosts))
        user.run('init', '--identity', self.server.identity, '--accept-new-hostkey', room)
        with open(user.client.known_hosts) as f:
            self.assertEqual(f.read().splitlines(), [self.server.host_key_line])
        user.run('send', '--identity', self.server.identity, room, 'after accepting')
        self.assertIn('<alice> after accepting',
                      user.run('read', '--identity', self.server.identity, room).stdout)

    def test_changed_host_key_is_refused_even_with_accept_new(self):
        client = h.ClientDir()
        other = os.path.join(client.root, 'other_host_key')
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', other], check=True,
                       timeout=30)
        with open(other + '.pub') as f:
            kind, blob = f.read().split()[:2]
        with open(client.known_hosts, 'w') as f:
            f.write('%s %s %s\n' % (self.host, kind, blob))
        with open(client.known_hosts) as f:
            before = f.read()
        for options in ([self.key_option()], [self.key_option(), 'accept_new_hostkey']):
            r = start_failure(self, self.url, client, options)
            self.assertEqual(r.returncode, 4, r.stderr)
            last = r.stderr.strip().splitlines()[-1]
            self.assertIn('does not match', last)
            self.assertIn("ssh-keygen -R '%s'" % self.host, last)
        with open(client.known_hosts) as f:
            self.assertEqual(f.read(), before)

    def test_insecure_skips_the_check_with_a_warning(self):
        client = h.ClientDir()
        with h.Mount(self.url, 'alice', PASS, client_dir=client,
                     options=[self.key_option(), 'insecure']) as m:
            self.assertIn('insecure', m.log_text())
            self.assertEqual(os.listdir(m.path()), [])
        self.assertFalse(os.path.exists(client.known_hosts))


class TlsCertificateChecks(TlsTrustChecks, unittest.TestCase):
    make_server = classmethod(lambda cls: h.VsftpdServer(tls=True))
    tls_options = ['tls=require']


if __name__ == '__main__':
    unittest.main()
