# Runs the transport's ExternalFtpServer tests (transport_external_test.cpp) against each FTP
# server tests/harness can start: vsftpd and pure-ftpd, each plain and with required TLS,
# proftpd, pyftpdlib with DOS listings, and vsftpd refusing passive data connections; its ExternalSftpServer tests (transport_stream_test.cpp) against OpenSSH's sshd; and
# its ExternalS3Server tests (transport_s3_test.cpp) against Ceph's RADOS Gateway.
# ctest runs it as transport.real_servers; by hand:
#   TRANSPORT_TESTS_BIN=build/tests/transport_integration_tests PYTHONPATH=tests/harness \
#     /usr/bin/python3 -m unittest -v transport_servers     (from tests/integration, as root)
import os
import shutil
import subprocess
import tempfile
import unittest

import harness_ftp
import harness_rgw
import harness_sshd
from harness_base import HarnessError

BIN = os.environ.get('TRANSPORT_TESTS_BIN', '')


class TransportAgainstRealServers(unittest.TestCase):
    def run_external_tests(self, make_server, tests=None):
        if not os.access(BIN, os.X_OK):
            self.skipTest('TRANSPORT_TESTS_BIN does not name the transport test binary')
        try:
            server = make_server()
        except HarnessError as e:  # pure-ftpd/proftpd are unpacked by scripts/install-deps.sh
            self.skipTest(str(e))
        with server:
            env = dict(os.environ, FTPCHAT_TEST_FTP_URL=server.url('chat/'))
            env.pop('FTPCHAT_TEST_CACERT', None)
            if server.tls:
                env['FTPCHAT_TEST_CACERT'] = server.cert_path
            if tests is None:
                tests = 'ExternalFtpServer.*-ExternalFtpServer.ActiveModeWherePassiveIsRefused' if server.tls else \
                    'ExternalFtpServer.AppendReadRoundTrip:ExternalFtpServer.ReadToStreamsAndStopsMidway:' \
                    'ExternalFtpServer.ListsByStatWithOddNamesAndEmptyFolders'
            self.run_tests(tests, env)

    def run_tests(self, tests, env):
        result = subprocess.run([BIN, '--gtest_filter=' + tests, '--gtest_brief=1'],
                                env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stdout[-4000:] + result.stderr[-2000:])
        self.assertNotIn('SKIPPED', result.stdout)  # every selected test really ran
        self.assertRegex(result.stdout, r'\[  PASSED  \] [1-9]')  # and the filter matched some

    def test_vsftpd(self):
        self.run_external_tests(lambda: harness_ftp.VsftpdServer())

    def test_vsftpd_passive_refused(self):
        self.run_external_tests(lambda: harness_ftp.VsftpdServer(extra_config=['pasv_enable=NO']),
                                'ExternalFtpServer.ActiveModeWherePassiveIsRefused:ExternalFtpServer.AppendReadRoundTrip')

    def test_vsftpd_tls(self):
        self.run_external_tests(lambda: harness_ftp.VsftpdServer(tls=True))

    def test_pure_ftpd(self):
        self.run_external_tests(lambda: harness_ftp.PureFtpdServer())

    def test_pure_ftpd_tls(self):
        self.run_external_tests(lambda: harness_ftp.PureFtpdServer(tls=True))

    def test_proftpd(self):
        self.run_external_tests(lambda: harness_ftp.ProftpdServer())

    def test_pyftpdlib_dos_listing(self):
        self.run_external_tests(lambda: harness_ftp.PyFtpdServer(dos_list=True))

    def test_sshd(self):
        if not os.access(BIN, os.X_OK):
            self.skipTest('TRANSPORT_TESTS_BIN does not name the transport test binary')
        try:
            server = harness_sshd.SshdServer()
        except HarnessError as e:
            self.skipTest(str(e))
        home = tempfile.mkdtemp(prefix='ftpchat-sftp-home-')
        try:
            with server:
                # The transport checks the host key in $HOME/.ssh/known_hosts.
                os.makedirs(os.path.join(home, '.ssh'), mode=0o700)
                shutil.copy(server.known_hosts, os.path.join(home, '.ssh', 'known_hosts'))
                env = dict(os.environ, HOME=home, FTPCHAT_TEST_SFTP_URL=server.url('chat/'),
                           FTPCHAT_TEST_SSH_IDENTITY=server.identity)
                self.run_tests('ExternalSftpServer.*', env)
        finally:
            shutil.rmtree(home, ignore_errors=True)

    def test_rgw(self):
        if not os.access(BIN, os.X_OK):
            self.skipTest('TRANSPORT_TESTS_BIN does not name the transport test binary')
        with harness_rgw.RgwServer() as server:
            env = dict(os.environ, FTPCHAT_TEST_S3_URL=server.url('transport/'),
                       FTPCHAT_TEST_S3_ENDPOINT=server.endpoint, **server.credentials_env())
            self.run_tests('ExternalS3Server.*', env)


if __name__ == '__main__':
    unittest.main()
