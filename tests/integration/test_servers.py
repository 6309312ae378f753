# Self-test of the harness (no ftpchatfs needed): every server kind takes a curl upload, append,
# listing and download on 127.0.0.1 and keeps its data across restarts; the proxy relays and cuts.
#   cd tests/integration && PYTHONPATH=../harness /usr/bin/python3 -m unittest -v test_servers
import ftplib
import os
import socket
import time
import unittest

import chatharness as h
from harness_base import run


def curl_run(args, env=None, check=True):
    return run(['curl', '-sS', '--max-time', '20'] + list(args), env=env, check=check)


class ServerRoundTrip:
    """upload, append, list, download, stop/start and kill/start on the same port."""

    def round_trip(self, server, extra=(), env=None):
        scratch = h.make_scratch('curl')
        first, second = os.path.join(scratch, 'first'), os.path.join(scratch, 'second')
        with open(first, 'w') as f:
            f.write('hello\n')
        with open(second, 'w') as f:
            f.write('world\n')
        url = server.url('chat/')
        extra = list(extra)

        curl_run(extra + ['-T', first, url + 'a.txt'], env=env)
        self.assertEqual(h.read_text(server.local_path('chat/a.txt')), 'hello\n')
        curl_run(extra + ['--append', '-T', second, url + 'a.txt'], env=env)
        self.assertEqual(h.read_text(server.local_path('chat/a.txt')), 'hello\nworld\n')
        listing = curl_run(extra + [url], env=env).stdout
        self.assertRegex(listing, r'(?m)\ba\.txt\s*$')
        self.assertEqual(curl_run(extra + [url + 'a.txt'], env=env).stdout, 'hello\nworld\n')

        port = server.port
        server.stop()
        self.assertFalse(h.port_accepts(port))
        self.assertNotEqual(curl_run(extra + [url + 'a.txt'], env=env, check=False).returncode, 0)
        server.start()
        self.assertEqual(server.port, port)
        self.assertEqual(curl_run(extra + [url + 'a.txt'], env=env).stdout, 'hello\nworld\n')

        server.kill()
        self.assertFalse(h.port_accepts(port))
        server.start()
        self.assertEqual(curl_run(extra + [url + 'a.txt'], env=env).stdout, 'hello\nworld\n')


class FtpServersTest(ServerRoundTrip, unittest.TestCase):
    def test_pyftpd(self):
        with h.PyFtpdServer() as s:
            self.round_trip(s)
            self.assertGreaterEqual(s.logins(), 6)
            self.assertGreaterEqual(s.count_command('APPE'), 1)

    def test_vsftpd(self):
        with h.VsftpdServer() as s:
            self.round_trip(s)

    def test_vsftpd_tls(self):
        with h.VsftpdServer(tls=True) as s:
            self.round_trip(s, s.curl_tls_args())
            # TLS is required: a plain login is refused.
            with self.assertRaises(ftplib.error_perm):
                ftp = ftplib.FTP(timeout=5)
                ftp.connect('127.0.0.1', s.port)
                try:
                    ftp.login(s.user, s.password)
                finally:
                    ftp.close()

    def test_pureftpd(self):
        with h.PureFtpdServer() as s:
            self.round_trip(s)

    def test_pureftpd_tls(self):
        with h.PureFtpdServer(tls=True) as s:
            self.round_trip(s, s.curl_tls_args())
            self.assertNotEqual(curl_run([s.url('chat/') + 'a.txt'], check=False).returncode, 0)

    def test_proftpd(self):
        with h.ProftpdServer() as s:
            self.round_trip(s)


class PyFtpdOptionsTest(unittest.TestCase):
    def test_disabled_commands_are_refused_and_hidden(self):
        with h.PyFtpdServer(disabled_commands=('SIZE', 'APPE', 'MLSD')) as s:
            s.make_dir('chat/')
            with open(s.local_path('chat/x.txt'), 'w') as f:
                f.write('abc')
            ftp = s.ftp_client()
            try:
                with self.assertRaisesRegex(ftplib.error_perm, '^500'):
                    ftp.sendcmd('SIZE chat/x.txt')
                features = ftp.sendcmd('FEAT')
                self.assertNotIn('SIZE', features)
                self.assertIn('MDTM', features)
                self.assertEqual(ftp.sendcmd('MDTM chat/x.txt')[:3], '213')
            finally:
                ftp.quit()
            scratch = h.make_scratch('curl')
            src = os.path.join(scratch, 'more')
            with open(src, 'w') as f:
                f.write('more\n')
            r = curl_run(['--append', '-T', src, s.url('chat/') + 'x.txt'], check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertEqual(h.read_text(s.local_path('chat/x.txt')), 'abc')
            self.assertEqual(s.count_command('SIZE'), 1)
            self.assertGreaterEqual(s.logins(), 2)

    def test_dos_style_listing(self):
        with h.PyFtpdServer(dos_list=True) as s:
            s.make_dir('chat/sub/')
            with open(s.local_path('chat/x.txt'), 'w') as f:
                f.write('12345')
            listing = curl_run([s.url('chat/')]).stdout
            self.assertRegex(listing, r'(?m)^\d\d-\d\d-\d\d\s+\d\d:\d\d[AP]M\s+5 x\.txt\r?$')
            self.assertRegex(listing, r'(?m)^\d\d-\d\d-\d\d\s+\d\d:\d\d[AP]M\s+<DIR>\s+sub\r?$')


class SshdTest(ServerRoundTrip, unittest.TestCase):
    def test_sftp_with_key_and_known_hosts(self):
        with h.SshdServer() as s:
            client = h.ClientDir()
            client.trust_ssh_host(s)
            self.assertTrue(s.url().startswith('sftp://root@127.0.0.1:%d%s/chat/' % (s.port, s.data_dir)))
            self.assertRegex(s.host_key_line, r'^\[127\.0\.0\.1\]:%d ssh-ed25519 AAAA\S+$' % s.port)
            with open(s.known_hosts) as f:
                self.assertEqual(f.read().strip(), s.host_key_line)
            env = dict(os.environ, **client.env())
            self.round_trip(s, s.curl_args(), env=env)
            self.assertGreaterEqual(s.logins(), 6)

            # The known_hosts check is real: another host key is rejected.
            other = h.ClientDir()
            with open(other.known_hosts, 'w') as f:
                f.write(s.host_key_line.rsplit(' ', 1)[0] + ' AAAAC3NzaC1lZDI1NTE5AAAAIB8ytYXnE8Ie3'
                        'vZyq6m0j3O4QIMnIfoJlQ1qFk5jpH0F\n')
            r = curl_run(s.curl_args() + [s.url('chat/') + 'a.txt'], env=dict(os.environ, **other.env()),
                         check=False)
            self.assertNotEqual(r.returncode, 0)


class ProxyTest(unittest.TestCase):
    def test_ftp_transfers_pass_through_rewritten_passive_replies(self):
        with h.PyFtpdServer() as s, h.TcpProxy(s.port) as p:
            scratch = h.make_scratch('curl')
            src = os.path.join(scratch, 'blob')
            payload = os.urandom(300000)
            with open(src, 'wb') as f:
                f.write(payload)
            url = s.url('chat/', port=p.port)
            curl_run(['-T', src, url + 'blob'])                    # EPSV
            got = run(['curl', '-sS', '--disable-epsv', url + 'blob'], text=False).stdout  # PASV
            self.assertEqual(got, payload)
            with open(s.local_path('chat/blob'), 'rb') as f:
                self.assertEqual(f.read(), payload)
            self.assertGreaterEqual(p.data_connections, 2)
            self.assertGreaterEqual(p.accepted, 4)
            # The server saw the proxy's passive replies replaced, not the client's commands.
            self.assertGreaterEqual(s.count_command('EPSV'), 1)
            self.assertGreaterEqual(s.count_command('PASV'), 1)

    def test_drop_all_cuts_live_connections_and_set_down_refuses(self):
        with h.PyFtpdServer() as s, h.TcpProxy(s.port) as p:
            ftp = ftplib.FTP(timeout=5)
            ftp.connect('127.0.0.1', p.port)
            ftp.login(s.user, s.password)
            self.assertEqual(ftp.voidcmd('NOOP')[:3], '200')
            h.wait_for(lambda: p.live_connections == 1, 5)
            self.assertEqual(p.drop_all(), 2)
            with self.assertRaises((EOFError, OSError, ftplib.Error)):
                ftp.voidcmd('NOOP')
            ftp.close()
            h.wait_for(lambda: p.live_connections == 0, 5)
            # The server side of the control connection was cut too.
            h.wait_for(lambda: 'FTP session closed' in h.read_text(s.command_log), 5)

            p.set_down(True)
            h.wait_for(lambda: not h.port_accepts(p.port), 5, message='proxy refusing connections')
            with self.assertRaises(ConnectionRefusedError):
                socket.create_connection(('127.0.0.1', p.port), timeout=2).close()
            p.set_down(False)
            h.wait_for(lambda: h.port_accepts(p.port), 5, message='proxy accepting again')
            ftp = ftplib.FTP(timeout=5)
            ftp.connect('127.0.0.1', p.port)
            ftp.login(s.user, s.password)
            ftp.quit()

    def test_stalled_proxy_holds_bytes_until_released(self):
        with h.PyFtpdServer() as s, h.TcpProxy(s.port) as p:
            conn = socket.create_connection(('127.0.0.1', p.port), timeout=5)
            self.assertTrue(conn.recv(1024).startswith(b'220'))
            p.set_stalled(True)
            time.sleep(0.3)  # let the pump threads notice the stall
            conn.sendall(b'NOOP\r\n')
            conn.settimeout(0.6)
            with self.assertRaises(socket.timeout):
                conn.recv(1024)
            p.set_stalled(False)
            conn.settimeout(5)
            self.assertTrue(conn.recv(1024).startswith(b'200'))
            conn.close()

    def test_sftp_and_ftps_through_proxy(self):
        with h.SshdServer() as s, h.TcpProxy(s.port) as p:
            client = h.ClientDir()
            client.trust_ssh_host(s, port=p.port)
            s.make_dir('chat/')
            with open(s.local_path('chat/m.txt'), 'w') as f:
                f.write('via proxy\n')
            out = curl_run(s.curl_args() + [s.url('chat/', port=p.port) + 'm.txt'],
                           env=dict(os.environ, **client.env())).stdout
            self.assertEqual(out, 'via proxy\n')
            self.assertEqual(p.accepted, 1)
        with h.VsftpdServer(tls=True) as s, h.TcpProxy(s.port) as p:
            s.make_dir('chat/')
            with open(s.local_path('chat/t.txt'), 'w') as f:
                f.write('tls via proxy\n')
            out = curl_run(s.curl_tls_args() + [s.url('chat/', port=p.port) + 't.txt']).stdout
            self.assertEqual(out, 'tls via proxy\n')
            self.assertEqual(p.data_connections, 0)  # encrypted control: data goes direct


class HarnessHelpersTest(unittest.TestCase):
    def test_ports_and_wait_for(self):
        low, high = h.free_port_range(20)
        self.assertEqual(high - low, 19)
        for port in range(low, high + 1):
            self.assertFalse(h.port_accepts(port))
        with self.assertRaises(h.WaitTimeout):
            h.wait_for(lambda: False, timeout=0.2)
        self.assertEqual(h.wait_for(lambda: 42, timeout=1), 42)

    def test_append_line_and_tail_follower(self):
        d = h.make_scratch('tools')
        path = os.path.join(d, 'log')
        h.append_line(path, 'first "quoted" $HOME line')
        with h.TailFollower(path, sleep_interval=0.1) as tail:
            self.assertEqual(tail.wait_for_line('first'), 'first "quoted" $HOME line')
            h.append_line(path, 'second')
            self.assertEqual(tail.wait_for_line('second', start=1), 'second')
            with self.assertRaises(h.WaitTimeout):
                tail.wait_for_line('never', timeout=0.3)
        self.assertFalse(tail.running)
        self.assertEqual(h.read_text(path), 'first "quoted" $HOME line\nsecond\n')
        self.assertNotEqual(h.append_line(os.path.join(d, 'missing', 'x'), 'y', check=False).returncode, 0)

    def test_mount_reports_a_failing_binary(self):
        for foreground in (True, False):
            m = h.Mount('ftp://127.0.0.1:1/chat/', 'ann', 'pass phrase', foreground=foreground,
                        binary='/bin/false')
            try:
                result = m.start(check=False)
                self.assertFalse(result.mounted)
                self.assertEqual(result.returncode, 1)
                with self.assertRaises(h.HarnessError):
                    m.start()
                with open(m.passfile) as f:
                    self.assertEqual(f.read(), 'pass phrase\n')
                self.assertEqual(os.stat(m.passfile).st_mode & 0o777, 0o600)
                cmd = m.command()
                self.assertEqual(cmd[-2:], ['ftp://127.0.0.1:1/chat/', m.mountpoint])
                self.assertIn('nick=ann,passfile=%s' % m.passfile, cmd)
                self.assertEqual('-f' in cmd, foreground)
            finally:
                m.close()


if __name__ == '__main__':
    unittest.main()
