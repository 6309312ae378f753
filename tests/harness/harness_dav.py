# The WebDAV servers the integration tests run on 127.0.0.1: Apache 2.4 with mod_dav_fs and
# lighttpd 1.4 with mod_webdav (Debian's packages), each as the test's own foreground process
# with its own config file in a scratch folder (never Debian's services or /etc configs), basic
# auth for user chat, and optionally TLS with a self-signed certificate (clients trust
# `cert_path` through cacert). Both log every request as "METHOD PATH STATUS BYTES" (requests(),
# bytes_sent_between()).
import os
import urllib.parse

from harness_base import HarnessError, run, wait_for
from harness_server import ServerBase, make_self_signed_cert

APACHE_BINARY = '/usr/sbin/apache2'
APACHE_MODULES = '/usr/lib/apache2/modules'
LIGHTTPD_BINARY = '/usr/sbin/lighttpd'
LIGHTTPD_MODULES = '/usr/lib/lighttpd'
# Both servers drop to this user after binding; data_dir belongs to it.
RUN_USER, RUN_GROUP = 'nobody', 'nogroup'


def _owner():
    import grp
    import pwd
    return pwd.getpwnam(RUN_USER).pw_uid, grp.getgrnam(RUN_GROUP).gr_gid


def _write_htpasswd(path, user, password):
    # apr1 (MD5, 1,000 rounds): both servers read it, and it costs microseconds per request,
    # which matters because basic auth checks the password on every request.
    hashed = run(['openssl', 'passwd', '-apr1', password]).stdout.strip()
    with open(path, 'w') as f:
        f.write('%s:%s\n' % (user, hashed))
    os.chmod(path, 0o644)  # read by the server after it dropped to RUN_USER


class DavServerBase(ServerBase):
    """tls=True serves davs:// (HTTPS) with a certificate made here (cert_path)."""

    scheme = 'dav'
    user = 'chat'
    password = 'secret'

    def __init__(self, tls=False):
        super().__init__()
        self.tls = tls
        self.scheme = 'davs' if tls else 'dav'
        self.cert_path = self.key_path = None
        self.htpasswd = os.path.join(self.dir, 'htpasswd')
        # What the server writes after dropping to RUN_USER: logs, lock database, uploads.
        self.run_dir = os.path.join(self.dir, 'run')
        self.access_log = os.path.join(self.run_dir, 'access.log')
        self.error_log = os.path.join(self.run_dir, 'error.log')
        self.config_path = os.path.join(self.dir, self.config_name)
        self.binary = self.binary_path
        if not os.access(self.binary, os.X_OK):
            raise HarnessError('%s missing: run scripts/install-deps.sh' % self.binary)

    def file_owner(self):
        return _owner()

    def _prepare(self):
        os.chown(self.data_dir, *_owner())
        os.makedirs(self.run_dir, exist_ok=True)
        os.chown(self.run_dir, *_owner())
        _write_htpasswd(self.htpasswd, self.user, self.password)
        if self.tls:
            self.cert_path, self.key_path, _ = make_self_signed_cert(self.dir)
            os.chmod(self.key_path, 0o644)  # lighttpd may read it after dropping privileges
        with open(self.config_path, 'w') as f:
            f.write(self._config() + '\n')

    def _config(self):
        raise NotImplementedError

    def http_url(self, path=''):
        """The http(s) URL of `path` under data_dir, without credentials (for curl)."""
        return '%s://127.0.0.1:%d/%s' % ('https' if self.tls else 'http', self.port,
                                         urllib.parse.quote(path.lstrip('/')))

    def curl_args(self):
        """curl (CLI) arguments to reach this server: credentials and TLS trust."""
        args = ['--user', '%s:%s' % (self.user, self.password)]
        if self.tls:
            args += ['--cacert', self.cert_path]
        return args

    def _log_entries(self):
        """[(method, path, status, body bytes sent)] from the access log."""
        try:
            with open(self.access_log, encoding='utf-8', errors='replace') as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            parts = line.split(' ')
            if len(parts) >= 4:
                sent = int(parts[-1]) if parts[-1].isdigit() else 0  # Apache writes "-" for 0
                out.append((parts[0], urllib.parse.unquote(' '.join(parts[1:-2])), parts[-2], sent))
        return out

    def requests(self):
        """Every request served so far (across restarts): [(method, path, status)]."""
        return [entry[:3] for entry in self._log_entries()]

    def bytes_sent_between(self, begin, end):
        """Response body bytes of the requests between mark(begin) and mark(end), by method."""
        out, inside = {}, False
        for method, path, _status, sent in self._log_entries():
            if path in ('/mark-' + begin, '/mark-' + end):
                inside = path == '/mark-' + begin
            elif inside:
                out[method] = out.get(method, 0) + sent
        return out

    def count_requests(self, method=None):
        return sum(1 for m, _p, _s in self.requests() if method is None or m == method)

    def stray_files(self):
        """Paths (under data_dir) of temporary and append-probe files a client left behind."""
        out = []
        for root, _dirs, files in os.walk(self.data_dir):
            out += [os.path.relpath(os.path.join(root, n), self.data_dir) for n in files
                    if '.tmp-' in n or n.startswith('.ftpchat-probe-')]
        return sorted(out)

    def mark(self, label):
        """Requests /mark-LABEL (a 404) and waits until the access log shows it: what is logged
        before it was asked before it, even on lighttpd, which writes its log about once a
        second. See requests_between()."""
        run(['curl', '-s', '--http1.1', '-o', '/dev/null'] + self.curl_args()
            + [self.http_url('mark-' + label)])
        wait_for(lambda: ('GET', '/mark-' + label) in ((m, p) for m, p, _s in self.requests()), 10,
                 message='/mark-%s in the access log of %s' % (label, self.kind))

    def requests_between(self, begin, end):
        """The requests logged between mark(begin) and mark(end): [(method, path, status)]."""
        out, inside = [], False
        for method, path, status in self.requests():
            if path in ('/mark-' + begin, '/mark-' + end):
                inside = path == '/mark-' + begin
            elif inside:
                out.append((method, path, status))
        return out

    def log_tail(self, lines=40):
        # The start-up messages go to server.log, everything later to error.log.
        from harness_base import file_tail
        return file_tail(self.log_path, lines) + '\n--- error.log:\n' + file_tail(self.error_log, lines)


class ApacheDavServer(DavServerBase):
    """Apache 2.4 (event MPM) with mod_dav and mod_dav_fs serving data_dir at /."""

    kind = 'apache'
    config_name = 'httpd.conf'
    binary_path = APACHE_BINARY

    def _config(self):
        d = self.dir
        modules = ['mpm_event', 'authn_core', 'authn_file', 'authz_core', 'authz_user',
                   'auth_basic', 'dav', 'dav_fs']  # unixd, log_config: built in
        if self.tls:
            modules += ['socache_shmcb', 'ssl']
        lines = ['LoadModule %s_module %s/mod_%s.so' % (m, APACHE_MODULES, m) for m in modules]
        lines += [
            'ServerRoot "%s"' % d, 'DefaultRuntimeDir "%s"' % d, 'PidFile "%s/httpd.pid"' % d,
            'Mutex file:%s default' % d, 'ServerName 127.0.0.1', 'Listen 127.0.0.1:%d' % self.port,
            'User %s' % RUN_USER, 'Group %s' % RUN_GROUP,
            'ErrorLog "%s"' % self.error_log, 'LogLevel warn',
            'LogFormat "%m %U %>s %B" methods', 'CustomLog "%s" methods' % self.access_log,
            # Enough workers for the concurrency suite's eight mounts, each holding a connection.
            'StartServers 2', 'ServerLimit 4', 'ThreadsPerChild 32', 'MaxRequestWorkers 128',
            'KeepAlive On', 'MaxKeepAliveRequests 0', 'KeepAliveTimeout 30',
            'DavLockDB "%s/davlock"' % self.run_dir, 'DocumentRoot "%s"' % self.data_dir,
            '<Directory />', '  AllowOverride None', '  Require all denied', '</Directory>',
            '<Directory "%s">' % self.data_dir, '  Dav On', '  Options None', '  AllowOverride None',
            '  AuthType Basic', '  AuthName "ftpchat test"', '  AuthBasicProvider file',
            '  AuthUserFile "%s"' % self.htpasswd, '  Require valid-user', '</Directory>',
        ]
        if self.tls:
            lines += ['SSLEngine on', 'SSLCertificateFile "%s"' % self.cert_path,
                      'SSLCertificateKeyFile "%s"' % self.key_path,
                      'SSLSessionCache "shmcb:%s/ssl_scache(512000)"' % d]
        return '\n'.join(lines)

    def _command(self):
        return [self.binary, '-f', self.config_path, '-D', 'FOREGROUND']

    def _env(self):
        # Debian's apache2 reads its locale and run-time settings from the environment only
        # through apache2ctl; a clean one keeps /etc/apache2/envvars out of it.
        return {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'LANG': 'C'}


class LighttpdDavServer(DavServerBase):
    """lighttpd 1.4 with mod_webdav serving data_dir at /. partial_put=True (the default) turns
    on `partial-put-copy-modify`, without which it refuses PUT with Content-Range."""

    kind = 'lighttpd'
    config_name = 'lighttpd.conf'
    binary_path = LIGHTTPD_BINARY

    def __init__(self, tls=False, partial_put=True):
        self.partial_put = partial_put
        super().__init__(tls)

    def _config(self):
        d = self.dir
        modules = ['mod_auth', 'mod_authn_file', 'mod_webdav', 'mod_accesslog']
        if self.tls:
            modules.append('mod_openssl')
        lines = [
            'server.modules = (%s)' % ', '.join('"%s"' % m for m in modules),
            'server.document-root = "%s"' % self.data_dir,
            'server.bind = "127.0.0.1"', 'server.port = %d' % self.port,
            'server.username = "%s"' % RUN_USER, 'server.groupname = "%s"' % RUN_GROUP,
            'server.errorlog = "%s"' % self.error_log, 'server.upload-dirs = ( "%s" )' % self.run_dir,
            'server.max-keep-alive-requests = 10000', 'server.max-keep-alive-idle = 30',
            'accesslog.filename = "%s"' % self.access_log, 'accesslog.format = "%m %U %>s %b"',
            'webdav.activate = "enable"', 'webdav.is-readonly = "disable"',
            'auth.backend = "htpasswd"', 'auth.backend.htpasswd.userfile = "%s"' % self.htpasswd,
            'auth.require = ( "" => ( "method" => "basic", "realm" => "ftpchat test",'
            ' "require" => "valid-user" ) )',
        ]
        if self.partial_put:
            lines.append('webdav.opts = ( "partial-put-copy-modify" => "enable" )')
        if self.tls:
            lines += ['ssl.engine = "enable"', 'ssl.pemfile = "%s"' % self.cert_path,
                      'ssl.privkey = "%s"' % self.key_path]
        return '\n'.join(lines)

    def _command(self):
        return [self.binary, '-D', '-f', self.config_path]


DAV_SERVER_CLASSES = (ApacheDavServer, LighttpdDavServer)
