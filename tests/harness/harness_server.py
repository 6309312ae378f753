# Base class of the real servers the tests run on 127.0.0.1: one foreground child process per
# server, restartable on the same port and data folder, always stopped at exit.
import contextlib
import os
import signal
import time
import urllib.parse

from harness_base import (file_tail, free_port, HarnessError, kill_process, make_scratch,
                          port_accepts, register, RegisteredServer, run, signal_tree, spawn,
                          stop_process, tree_listens_on)

SERVERS_ROOT_DEFAULT = '/var/tmp/ftpchatfs-servers/root'


def servers_root():
    """Where scripts/install-deps.sh unpacked pure-ftpd and proftpd."""
    return os.environ.get('FTPCHAT_TEST_SERVERS', SERVERS_ROOT_DEFAULT)


def make_self_signed_cert(directory, name='server'):
    """A self-signed RSA certificate for 127.0.0.1 (SAN IP:127.0.0.1, so verification by IP
    works with cacert=cert). Returns (cert_path, key_path, combined_pem_path)."""
    cert = os.path.join(directory, name + '.crt')
    key = os.path.join(directory, name + '.key')
    both = os.path.join(directory, name + '.pem')
    run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '7',
         '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
         '-keyout', key, '-out', cert])
    with open(both, 'w') as out:
        for part in (cert, key):
            with open(part) as f:
                out.write(f.read())
    for p in (key, both):
        os.chmod(p, 0o600)
    return cert, key, both


class ServerBase(RegisteredServer):
    """Subclasses set `kind`, `scheme`, and implement _prepare() (one-time set-up: users, keys,
    config files) and _command() (argv of the foreground server)."""

    kind = 'server'
    scheme = 'ftp'
    user = 'chat'
    password = 'secret'
    start_timeout = 15.0

    def __init__(self):
        self.dir = make_scratch(self.kind)
        self.data_dir = os.path.join(self.dir, 'data')
        os.makedirs(self.data_dir)
        self.port = self._pick_port()
        self.log_path = os.path.join(self.dir, 'server.log')
        self.proc = None
        self.starts = 0
        self._prepared = False
        register('servers', self)

    # -- to override ------------------------------------------------------------------------
    def _pick_port(self):
        return free_port()

    def _prepare(self):
        pass

    def _command(self):
        raise NotImplementedError

    def _env(self):
        return None

    def file_owner(self):
        """(uid, gid) that files written through the server belong to; None: this process's."""
        return None

    # -- life cycle -------------------------------------------------------------------------
    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        """Starts the server (no-op if running) and waits until its port accepts connections."""
        if self.running:
            return self
        if not self._prepared:
            self._prepare()
            self._prepared = True
        with open(self.log_path, 'a') as log:
            log.write('--- %s start #%d on port %d\n' % (self.kind, self.starts + 1, self.port))
        self.proc = spawn(self._command(), self.log_path, env=self._env(), cwd=self.dir)
        self.starts += 1
        deadline = time.monotonic() + self.start_timeout
        # Ready when the port answers and it is this server's own socket that listens there.
        while not (port_accepts(self.port) and tree_listens_on(self.proc.pid, self.port)):
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.proc = None
                raise HarnessError('%s exited with status %s before accepting connections on port %d;'
                                   ' log tail:\n%s' % (self.kind, code, self.port, self.log_tail()))
            if time.monotonic() > deadline:
                self.stop()
                raise HarnessError('%s did not accept connections on port %d within %.0fs; log tail:\n%s'
                                   % (self.kind, self.port, self.start_timeout, self.log_tail()))
            time.sleep(0.02)
        return self

    def stop(self):
        """Graceful stop (SIGTERM to the server and its sessions, SIGKILL after 5 s)."""
        proc, self.proc = self.proc, None
        stop_process(proc)
        self._wait_port_closed()

    def kill(self):
        """SIGKILL to the server and every session process it forked (a crash)."""
        proc, self.proc = self.proc, None
        kill_process(proc)
        self._wait_port_closed()

    def restart(self):
        self.stop()
        return self.start()

    @contextlib.contextmanager
    def paused(self):
        """The server and its session processes stopped (SIGSTOP) inside the block, continued
        after it: what clients do meanwhile queues up in the kernel, and the server sees it at
        once when it runs again."""
        signal_tree(self.proc.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            signal_tree(self.proc.pid, signal.SIGCONT)

    def _wait_port_closed(self):
        deadline = time.monotonic() + 5
        while port_accepts(self.port, timeout=0.2) and time.monotonic() < deadline:
            time.sleep(0.02)

    # -- paths and URLs ---------------------------------------------------------------------
    def local_path(self, path=''):
        """The server-side file or folder that URL path `path` maps to."""
        return os.path.join(self.data_dir, path.lstrip('/'))

    def make_dir(self, path):
        """Creates data_dir/path (and parents) owned by the server's file owner."""
        full = os.path.normpath(self.local_path(path))
        top = os.path.normpath(self.data_dir)
        os.makedirs(full, exist_ok=True)
        owner = self.file_owner()
        if owner is not None:
            p = full
            while p.startswith(top + os.sep):
                os.chown(p, *owner)
                p = os.path.dirname(p)
        return full

    def _url_root(self):
        return '%s://%s:%s@127.0.0.1:%d/' % (self.scheme, urllib.parse.quote(self.user, safe=''),
                                             urllib.parse.quote(self.password, safe=''), self.port)

    def url(self, path='chat/', create=True, port=None):
        """URL of `path` under the login folder (data_dir). A path ending in '/' is a folder and
        is created server-side unless create=False. `port` overrides the port (e.g. a proxy's)."""
        if create and path.endswith('/'):
            self.make_dir(path)
        root = self._url_root()
        if port is not None:
            root = root.replace(':%d/' % self.port, ':%d/' % port, 1)
        return root + urllib.parse.quote(path.lstrip('/'))

    def log_text(self):
        try:
            with open(self.log_path, 'rb') as f:
                return f.read().decode('utf-8', 'replace')
        except OSError:
            return ''

    def log_tail(self, lines=40):
        return file_tail(self.log_path, lines)

    def __repr__(self):
        return '<%s port=%d data=%s running=%s>' % (type(self).__name__, self.port, self.data_dir, self.running)
