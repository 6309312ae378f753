# OpenSSH sshd on 127.0.0.1 for SFTP tests: own ed25519 host and client keys, root login by key
# only, internal-sftp. The URL is absolute: sftp://root@127.0.0.1:PORT/<data_dir>/path.
import base64
import hashlib
import os
import urllib.parse

from harness_base import run
from harness_server import ServerBase


class SshdServer(ServerBase):
    """`.identity` is the client's private key (its public half is `.identity + '.pub'`),
    `.known_hosts` a file with the host key line for this port, `.host_key_line` that line,
    `.host_key_sha256` the base64 SHA-256 of the host key (curl's --hostpubsha256)."""

    kind = 'sshd'
    scheme = 'sftp'
    user = 'root'
    password = ''

    def __init__(self, extra_config=()):
        super().__init__()
        self.extra_config = tuple(extra_config)
        self.host_key = os.path.join(self.dir, 'host_ed25519')
        self.identity = os.path.join(self.dir, 'client_ed25519')
        self.authorized_keys = os.path.join(self.dir, 'authorized_keys')
        self.known_hosts = os.path.join(self.dir, 'known_hosts')
        self.config_path = os.path.join(self.dir, 'sshd_config')
        self._host_pub = None
        # Keys are made now, not at start(), so tests can set up clients before the first start.
        self._make_keys()

    def _make_keys(self):
        for key, comment in ((self.host_key, 'ftpchat-test-host'), (self.identity, 'ftpchat-test-client')):
            run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', key])
        with open(self.host_key + '.pub') as f:
            self._host_pub = f.read().split()[:2]  # [type, base64 blob]
        with open(self.identity + '.pub') as f, open(self.authorized_keys, 'w') as out:
            out.write(f.read())
        os.chmod(self.authorized_keys, 0o600)
        with open(self.known_hosts, 'w') as f:
            f.write(self.host_key_line + '\n')

    @property
    def host_key_line(self):
        return self.known_hosts_line(self.port)

    def known_hosts_line(self, port):
        """The known_hosts line for this host key seen at 127.0.0.1:port (e.g. a proxy's port)."""
        return '[127.0.0.1]:%d %s %s' % (port, self._host_pub[0], self._host_pub[1])

    @property
    def host_key_sha256(self):
        digest = hashlib.sha256(base64.b64decode(self._host_pub[1])).digest()
        return base64.b64encode(digest).decode().rstrip('=')

    def _prepare(self):
        os.makedirs('/run/sshd', mode=0o755, exist_ok=True)
        lines = [
            'Port %d' % self.port, 'ListenAddress 127.0.0.1', 'HostKey %s' % self.host_key,
            'PidFile %s/sshd.pid' % self.dir, 'AuthorizedKeysFile %s' % self.authorized_keys,
            'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
            'PermitRootLogin prohibit-password', 'StrictModes no', 'UsePAM no',
            'Subsystem sftp internal-sftp', 'LogLevel VERBOSE', 'MaxStartups 100:30:200',
            'MaxSessions 100', 'PrintMotd no', 'X11Forwarding no', 'AllowTcpForwarding no',
        ]
        lines += list(self.extra_config)
        with open(self.config_path, 'w') as f:
            f.write('\n'.join(lines) + '\n')

    def _command(self):
        return ['/usr/sbin/sshd', '-D', '-e', '-f', self.config_path]

    def _url_root(self):
        return 'sftp://%s@127.0.0.1:%d' % (urllib.parse.quote(self.user, safe=''), self.port)

    def url(self, path='chat/', create=True, port=None):
        """sftp://root@127.0.0.1:PORT/<data_dir>/<path> (absolute path on the server)."""
        if create and path.endswith('/'):
            self.make_dir(path)
        root = self._url_root()
        if port is not None:
            root = root.replace(':%d' % self.port, ':%d' % port, 1)
        return root + urllib.parse.quote(os.path.join(self.data_dir, path.lstrip('/')))

    def logins(self):
        """Number of accepted key logins so far (from sshd's -e log)."""
        return self.log_text().count('Accepted publickey for ')

    def curl_args(self):
        """curl (CLI) arguments to reach this server with the generated key."""
        return ['--key', self.identity, '--pubkey', self.identity + '.pub']
