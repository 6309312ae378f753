# The FTP servers the integration tests run on 127.0.0.1: pyftpdlib, vsftpd, pure-ftpd and
# proftpd (the last two unpacked by scripts/install-deps.sh), with passive data connections
# (vsftpd refuses them with extra_config=['pasv_enable=NO']: active mode only).
import ftplib
import grp
import os
import pwd
import re
import subprocess

from harness_base import HarnessError, free_port_range, run
from harness_server import ServerBase, make_self_signed_cert, servers_root

HARNESS_DIR = os.path.dirname(os.path.abspath(__file__))
SYSTEM_PYTHON = '/usr/bin/python3'  # the only interpreter with Debian's pyftpdlib


def _hash_password(password):
    return run(['openssl', 'passwd', '-6', password]).stdout.strip()


def _nobody():
    return pwd.getpwnam('nobody').pw_uid, grp.getgrnam('nogroup').gr_gid


class FtpServerBase(ServerBase):
    scheme = 'ftp'
    tls = False
    cert_path = None  # with tls: the certificate to trust (the cacert / --cacert file)

    def __init__(self, passive_ports=64):
        super().__init__()
        self.pasv_range = free_port_range(passive_ports)

    def ftp_client(self, timeout=10):
        """A logged-in stdlib ftplib client (FTP_TLS with a protected data channel under TLS),
        for tests that need raw FTP commands."""
        if self.tls:
            import ssl
            ctx = ssl.create_default_context(cafile=self.cert_path)
            ftp = ftplib.FTP_TLS(context=ctx, timeout=timeout)
        else:
            ftp = ftplib.FTP(timeout=timeout)
        ftp.connect('127.0.0.1', self.port)
        ftp.login(self.user, self.password)
        if self.tls:
            ftp.prot_p()
        return ftp

    def curl_tls_args(self):
        """Extra curl (CLI) arguments for this server: explicit TLS on ftp:// when tls=True."""
        return ['--ssl-reqd', '--cacert', self.cert_path] if self.tls else []


class PyFtpdServer(FtpServerBase):
    """pyftpdlib, user chat/secret. disabled_commands are removed from the handler (the server
    answers 500 and leaves them out of FEAT); dos_list=True makes LIST answer in DOS style;
    stat_status=True makes STAT <path> answer the server's status instead of a listing.
    Every command is logged to command_log: see commands(), count_command(), logins()."""

    kind = 'pyftpd'

    def __init__(self, disabled_commands=(), dos_list=False, passive_ports=64, user='chat', password='secret',
                 stat_status=False):
        super().__init__(passive_ports)
        self.user, self.password = user, password
        self.disabled_commands = tuple(c.upper() for c in disabled_commands)
        self.dos_list = dos_list
        self.stat_status = stat_status
        self.command_log = os.path.join(self.dir, 'commands.log')

    def _command(self):
        cmd = [SYSTEM_PYTHON, os.path.join(HARNESS_DIR, 'pyftpd_server.py'), '--port', str(self.port),
               '--dir', self.data_dir, '--user', self.user, '--password', self.password,
               '--pasv', '%d-%d' % self.pasv_range, '--log', self.command_log]
        if self.disabled_commands:
            cmd += ['--disable', ','.join(self.disabled_commands)]
        if self.dos_list:
            cmd.append('--dos-list')
        if self.stat_status:
            cmd.append('--stat-status')
        return cmd

    def _command_log_lines(self):
        try:
            with open(self.command_log, encoding='utf-8', errors='replace') as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def commands(self):
        """Every command received so far (across restarts), e.g. ['USER chat', 'PASS ******', ...]."""
        out = []
        for line in self._command_log_lines():
            i = line.find('] <- ')
            if i >= 0:
                out.append(line[i + 5:])
        return out

    def count_command(self, name):
        name = name.upper()
        return sum(1 for c in self.commands() if c.split(' ', 1)[0].upper() == name)

    def logins(self):
        """Number of successful logins so far."""
        return sum(1 for line in self._command_log_lines() if line.endswith("' logged in."))


SYSTEM_FTP_USER = 'ftpchattest'


def ensure_system_user(name=SYSTEM_FTP_USER, password='ftpchat-secret'):
    """A real system user for PAM logins (vsftpd): created if missing, password (re)set, shell
    /bin/bash, not listed in /etc/ftpusers. Its home is /tmp: vsftpd enters the home folder
    before local_root, so it must exist. Returns (uid, gid)."""
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        run(['useradd', '-M', '-d', '/tmp', '-s', '/bin/bash', name])
        pw = pwd.getpwnam(name)
    if pw.pw_shell != '/bin/bash' or pw.pw_dir != '/tmp':
        run(['usermod', '-d', '/tmp', '-s', '/bin/bash', name])
    subprocess.run(['chpasswd'], input='%s:%s\n' % (name, password), text=True, check=True, timeout=30)
    try:
        with open('/etc/ftpusers') as f:
            lines = f.read().splitlines()
        if name in (line.strip() for line in lines):
            raise HarnessError('%s is listed in /etc/ftpusers: vsftpd would refuse it' % name)
    except FileNotFoundError:
        pass
    return pw.pw_uid, pw.pw_gid


class VsftpdServer(FtpServerBase):
    """vsftpd with the system user ftpchattest (PAM). tls=True: explicit FTPS required on control
    and data (use cert_path as CA). extra_config: more 'key=value' lines."""

    kind = 'vsftpd'

    def __init__(self, tls=False, passive_ports=64, extra_config=()):
        super().__init__(passive_ports)
        self.user, self.password = SYSTEM_FTP_USER, 'ftpchat-secret'
        self.tls = tls
        self.extra_config = tuple(extra_config)
        self.config_path = os.path.join(self.dir, 'vsftpd.conf')
        self.protocol_log = os.path.join(self.dir, 'vsftpd.log')
        self._owner = None

    def file_owner(self):
        return self._owner

    def _prepare(self):
        self._owner = ensure_system_user(self.user, self.password)
        os.chown(self.data_dir, *self._owner)
        os.makedirs('/var/run/vsftpd/empty', exist_ok=True)
        lines = [
            'listen=YES', 'listen_ipv6=NO', 'listen_address=127.0.0.1', 'listen_port=%d' % self.port,
            'background=NO', 'anonymous_enable=NO', 'local_enable=YES', 'write_enable=YES',
            'local_umask=022', 'local_root=%s' % self.data_dir, 'chroot_local_user=NO',
            'pam_service_name=vsftpd', 'userlist_enable=NO', 'pasv_enable=YES',
            'pasv_address=127.0.0.1', 'pasv_min_port=%d' % self.pasv_range[0],
            'pasv_max_port=%d' % self.pasv_range[1], 'secure_chroot_dir=/var/run/vsftpd/empty',
            'max_clients=0', 'max_per_ip=0', 'seccomp_sandbox=NO',
            'xferlog_enable=YES', 'xferlog_std_format=NO', 'log_ftp_protocol=YES',
            'vsftpd_log_file=%s' % self.protocol_log,
        ]
        if self.tls:
            cert, key, _ = make_self_signed_cert(self.dir)
            self.cert_path = cert
            lines += ['ssl_enable=YES', 'rsa_cert_file=%s' % cert, 'rsa_private_key_file=%s' % key,
                      'force_local_logins_ssl=YES', 'force_local_data_ssl=YES', 'ssl_sslv2=NO',
                      'ssl_sslv3=NO', 'ssl_tlsv1=YES']
        lines += list(self.extra_config)
        with open(self.config_path, 'w') as f:
            f.write('\n'.join(lines) + '\n')

    def _command(self):
        return ['/usr/sbin/vsftpd', self.config_path]


class PureFtpdServer(FtpServerBase):
    """pure-ftpd (unpacked), virtual user chat (puredb, openssl passwd -6 hashes). It serves at
    most half as many clients as it has passive ports, so it gets 2*max_clients+8 of them.
    tls=True: TLS required on control and data (-Y 3)."""

    kind = 'pureftpd'

    def __init__(self, tls=False, max_clients=50):
        super().__init__(2 * max_clients + 8)
        self.tls = tls
        self.max_clients = max_clients
        root = servers_root()
        self.binary = os.path.join(root, 'usr/sbin/pure-ftpd')
        self.pure_pw = os.path.join(root, 'usr/bin/pure-pw')
        for b in (self.binary, self.pure_pw):
            if not os.access(b, os.X_OK):
                raise HarnessError('%s missing: run scripts/install-deps.sh (or set FTPCHAT_TEST_SERVERS)' % b)
        self.pdb = os.path.join(self.dir, 'pureftpd.pdb')
        self._pem = None

    def file_owner(self):
        return _nobody()

    def _prepare(self):
        uid, gid = _nobody()
        os.chown(self.data_dir, uid, gid)
        passwd = os.path.join(self.dir, 'pureftpd.passwd')
        with open(passwd, 'w') as f:
            f.write('%s:%s:%d:%d::%s/./::::::::::::\n' % (self.user, _hash_password(self.password), uid, gid,
                                                          self.data_dir))
        run([self.pure_pw, 'mkdb', self.pdb, '-f', passwd])
        if self.tls:
            self.cert_path, _, self._pem = make_self_signed_cert(self.dir)

    def _command(self):
        cmd = [self.binary, '-S', '127.0.0.1,%d' % self.port, '-l', 'puredb:%s' % self.pdb, '-E', '-H', '-A',
               '-p', '%d:%d' % self.pasv_range, '-P', '127.0.0.1', '-c', str(self.max_clients),
               '-C', str(self.max_clients)]
        if self.tls:
            cmd += ['-Y', '3', '-2', self._pem]
        return cmd


class ProftpdServer(FtpServerBase):
    """proftpd (unpacked), virtual user chat from an AuthUserFile, jailed in data_dir.
    Note its ~0.4 s pause between sessions: reuse connections."""

    kind = 'proftpd'

    def __init__(self, passive_ports=64, extra_config=()):
        super().__init__(passive_ports)
        root = servers_root()
        self.binary = os.path.join(root, 'usr/sbin/proftpd')
        self.module_path = os.path.join(root, 'usr/lib/proftpd')
        if not os.access(self.binary, os.X_OK):
            raise HarnessError('%s missing: run scripts/install-deps.sh (or set FTPCHAT_TEST_SERVERS)' % self.binary)
        self.extra_config = tuple(extra_config)
        self.config_path = os.path.join(self.dir, 'proftpd.conf')
        self.command_log = os.path.join(self.dir, 'commands.log')

    def file_owner(self):
        return _nobody()

    def _prepare(self):
        uid, gid = _nobody()
        os.chown(self.data_dir, uid, gid)
        passwd = os.path.join(self.dir, 'proftpd.passwd')
        with open(passwd, 'w') as f:
            f.write('%s:%s:%d:%d::%s:/bin/false\n' % (self.user, _hash_password(self.password), uid, gid,
                                                      self.data_dir))
        os.chmod(passwd, 0o600)
        d = self.dir
        lines = [
            'ServerName "ftpchat test"', 'ServerType standalone', 'DefaultServer on', 'UseIPv6 off',
            'DefaultAddress 127.0.0.1', 'SocketBindTight on', 'Port %d' % self.port,
            'PassivePorts %d %d' % self.pasv_range, 'User nobody', 'Group nogroup',
            'PidFile %s/proftpd.pid' % d, 'ScoreboardFile %s/proftpd.scoreboard' % d,
            'DelayTable none', 'WtmpLog off', 'UseReverseDNS off',
            'AuthOrder mod_auth_file.c', 'AuthUserFile %s' % passwd, 'RequireValidShell off',
            'UseFtpUsers off', 'DefaultRoot ~', 'AllowOverwrite on', 'AllowStoreRestart on',
            'AllowRetrieveRestart on', 'Umask 022', 'MaxInstances 200',
            'ModulePath %s' % self.module_path, 'TransferLog %s/xferlog' % d,
            'LogFormat commands "%m %J"', 'ExtendedLog %s ALL commands' % self.command_log,
            '<Directory />', '  AllowOverwrite on', '</Directory>',
        ]
        lines += list(self.extra_config)
        with open(self.config_path, 'w') as f:
            f.write('\n'.join(lines) + '\n')

    def _command(self):
        return [self.binary, '-n', '-c', self.config_path]

    def commands(self):
        try:
            with open(self.command_log, encoding='utf-8', errors='replace') as f:
                return [re.sub(r'\s+$', '', line) for line in f]
        except FileNotFoundError:
            return []
