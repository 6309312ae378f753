# Runs ftpchatfs the way users do (`ftpchatfs [options] URL MOUNTPOINT`) and always unmounts:
# one Mount per mounted room folder, one ClientDir per "user on a machine".
import dataclasses
import os
import shutil
import signal
import subprocess
import time

from harness_base import (HarnessError, file_tail, is_enotconn, make_scratch, pid_alive, register,
                          run, signal_tree, spawn, unregister)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MOUNT_TIMEOUT = 15.0


def ftpchatfs_binary():
    """$FTPCHATFS_BIN (ctest sets it), else build/ftpchatfs in the repo, else one on PATH."""
    candidates = [os.environ.get('FTPCHATFS_BIN'), os.path.join(REPO_ROOT, 'build', 'ftpchatfs'),
                  shutil.which('ftpchatfs')]
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    raise HarnessError('ftpchatfs binary not found: set FTPCHATFS_BIN or build into %s/build' % REPO_ROOT)


def _unescape_mountinfo(field):
    # mountinfo writes space, tab, newline and backslash as octal escapes.
    for esc, ch in (('\\040', ' '), ('\\011', '\t'), ('\\012', '\n'), ('\\134', '\\')):
        field = field.replace(esc, ch)
    return field


def mounts():
    """[(mountpoint, fstype)] from /proc/self/mountinfo."""
    out = []
    with open('/proc/self/mountinfo') as f:
        for line in f:
            left, _, right = line.partition(' - ')
            out.append((_unescape_mountinfo(left.split()[4]), right.split()[0]))
    return out


def is_mounted(path):
    path = os.path.realpath(path)
    return any(mp == path for mp, _ in mounts())


def cleanup_stale_mounts():
    """Lazily unmounts harness FUSE mounts whose daemon is gone (ENOTCONN), left by a test run
    that was killed before its clean-up ran. Live mounts (maybe another run's) are left alone."""
    for mp, fstype in mounts():
        if fstype.startswith('fuse') and mp.startswith('/tmp/ftpchat-t-') and is_enotconn(mp):
            subprocess.run(['fusermount3', '-u', '-z', mp], capture_output=True, timeout=10)


class ClientDir:
    """A user on a machine: own XDG_STATE_HOME, XDG_CACHE_HOME and HOME. Two mounts given the
    same ClientDir share local state on purpose."""

    def __init__(self, path=None):
        self.root = path or make_scratch('client')
        self.state = os.path.join(self.root, 'state')
        self.cache = os.path.join(self.root, 'cache')
        self.home = os.path.join(self.root, 'home')
        for d in (self.state, self.cache, os.path.join(self.home, '.ssh')):
            os.makedirs(d, mode=0o700, exist_ok=True)

    def env(self):
        return {'XDG_STATE_HOME': self.state, 'XDG_CACHE_HOME': self.cache, 'HOME': self.home}

    @property
    def known_hosts(self):
        return os.path.join(self.home, '.ssh', 'known_hosts')

    def trust_ssh_host(self, sshd, port=None):
        """Adds sshd's host key (as seen at `port`, default its own) to ~/.ssh/known_hosts."""
        with open(self.known_hosts, 'a') as f:
            f.write(sshd.known_hosts_line(port or sshd.port) + '\n')
        return self.known_hosts

    def __str__(self):
        return self.root


@dataclasses.dataclass
class MountResult:
    mounted: bool
    returncode: object  # None while the foreground process runs
    stderr: str


class Mount:
    """ftpchatfs at a fresh mountpoint. options are extra -o entries ('poll=200'); extra_args go
    before URL (e.g. ['-o', 'allow_other']). passphrase=None writes no passfile (use env's
    FTPCHAT_PASSPHRASE); nick=None passes no nick. foreground=True runs with -f and keeps .pid
    and the stderr log; False lets it daemonize (the command's exit status is the result)."""

    def __init__(self, url, nick, passphrase, client_dir=None, options=(), foreground=True, env=None,
                 mountpoint=None, debug=False, extra_args=(), binary=None):
        cleanup_stale_mounts()
        self.url, self.nick, self.passphrase = url, nick, passphrase
        if isinstance(client_dir, ClientDir):
            self.client = client_dir
        else:
            self.client = ClientDir(client_dir)
        self.options = list(options)
        self.foreground = foreground
        self.extra_env = dict(env or {})
        self.debug = debug
        self.extra_args = list(extra_args)
        self.binary = binary
        self.dir = make_scratch('mount')
        self.mountpoint = mountpoint or os.path.join(self.dir, 'mnt')
        os.makedirs(self.mountpoint, exist_ok=True)
        self.passfile = os.path.join(self.dir, 'passphrase')
        self.log_path = os.path.join(self.dir, 'stderr.log')
        self.proc = None
        self.pid = None
        self.last_result = None
        self.lazy_unmounted = False
        register('mounts', self)

    # -- command line ---------------------------------------------------------------------------
    def command(self):
        opts = []
        if self.nick is not None:
            opts.append('nick=%s' % self.nick)
        if self.passphrase is not None:
            opts.append('passfile=%s' % self.passfile)
        opts += self.options
        cmd = [self.binary or ftpchatfs_binary()]
        if self.debug:
            cmd.append('-d')
        elif self.foreground:
            cmd.append('-f')
        if opts:
            cmd += ['-o', ','.join(opts)]
        return cmd + self.extra_args + [self.url, self.mountpoint]

    def environment(self):
        env = {k: v for k, v in os.environ.items() if k != 'FTPCHAT_PASSPHRASE'}
        env.update(self.client.env())
        env.update(self.extra_env)
        return env

    def _write_passfile(self):
        if self.passphrase is None:
            return
        fd = os.open(self.passfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'w') as f:
            f.write(self.passphrase + '\n')
        os.chmod(self.passfile, 0o600)

    # -- life cycle -----------------------------------------------------------------------------
    @property
    def mounted(self):
        return is_mounted(self.mountpoint)

    @property
    def running(self):
        return self.pid is not None and pid_alive(self.pid)

    def start(self, check=True, timeout=MOUNT_TIMEOUT):
        """Mounts and returns a MountResult. check=True raises HarnessError (with the log tail)
        unless the mountpoint shows up in /proc/self/mountinfo; check=False is for failure tests."""
        if self.mounted:
            raise HarnessError('%s is already mounted' % self.mountpoint)
        self._write_passfile()
        with open(self.log_path, 'a') as log:  # a start marker, without the URL's password
            log.write('--- %s\n' % ' '.join(c if c != self.url else self.url_redacted() for c in self.command()))
        if self.foreground:
            result = self._start_foreground(timeout)
        else:
            result = self._start_background(timeout)
        self.last_result = result
        if check and not result.mounted:
            raise HarnessError('mount of %s at %s failed (exit status %s); log tail:\n%s'
                               % (self.url_redacted(), self.mountpoint, result.returncode, self.log_tail()))
        return result

    def _start_foreground(self, timeout):
        # SIGTERM on the test's death lets the daemon unmount itself.
        self.proc = spawn(self.command(), self.log_path, env=self.environment(), death_signal='TERM')
        self.pid = self.proc.pid
        deadline = time.monotonic() + timeout
        while not self.mounted:
            if self.proc.poll() is not None:
                return MountResult(False, self.proc.returncode, self._log_since_start())
            if time.monotonic() > deadline:
                self.kill()
                return MountResult(False, None, self._log_since_start() + '\n(harness: not mounted after %.0fs)'
                                   % timeout)
            time.sleep(0.02)
        return MountResult(True, None, self._log_since_start())

    def _start_background(self, timeout):
        out_path = os.path.join(self.dir, 'start.out')
        # Files, not pipes: a daemon that kept a pipe open would block the read forever.
        with open(out_path, 'wb') as out, open(self.log_path, 'ab') as err:
            err.flush()
            start = err.tell()
            try:
                r = subprocess.run(self.command(), stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   env=self.environment(), timeout=timeout + 15)
                code = r.returncode
            except subprocess.TimeoutExpired:
                code = None
        with open(self.log_path, 'rb') as f:
            f.seek(start)
            stderr = f.read().decode('utf-8', 'replace')
        mounted = code == 0 and self._wait_mounted(5)
        self.pid = self._find_daemon_pid() if mounted else None
        return MountResult(mounted, code, stderr)

    def _wait_mounted(self, timeout):
        deadline = time.monotonic() + timeout
        while not self.mounted:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def _find_daemon_pid(self):
        want = os.path.realpath(self.mountpoint).encode()
        for entry in os.listdir('/proc'):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open('/proc/%s/cmdline' % entry, 'rb') as f:
                    argv = f.read().split(b'\0')
            except OSError:
                continue
            if argv and os.path.basename(argv[0]).startswith(b'ftpchatfs') and want in argv:
                return int(entry)
        return None

    def unmount(self, timeout=15.0):
        """fusermount3 -u (retried for 5 s while busy), then waits for the daemon to exit and
        returns the foreground process's exit status. If the mount stays busy, a lazy unmount
        (-z) detaches it; the daemon would then live on while files stay open, so it is killed
        after 2 s (lazy_unmounted is set: a test that cares should check it)."""
        self.lazy_unmounted = False
        if self.mounted:
            deadline = time.monotonic() + 5
            while True:
                r = subprocess.run(['fusermount3', '-u', self.mountpoint], capture_output=True, text=True,
                                   timeout=30)
                if r.returncode == 0 or not self.mounted:
                    break
                if time.monotonic() > deadline:
                    subprocess.run(['fusermount3', '-u', '-z', self.mountpoint], capture_output=True,
                                   timeout=30)
                    self.lazy_unmounted = True
                    break
                time.sleep(0.1)
        if self.lazy_unmounted:
            try:
                return self._wait_exit(2)
            except HarnessError:
                return self.proc.returncode if self.proc is not None else None
        return self._wait_exit(timeout)

    def _wait_exit(self, timeout):
        """Waits for the daemon to exit; kills it and raises HarnessError after `timeout`."""
        deadline = time.monotonic() + timeout
        if self.proc is not None:
            try:
                return self.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.kill()
                raise HarnessError('ftpchatfs did not exit within %.0fs of unmount; killed. log tail:\n%s'
                                   % (timeout, self.log_tail()))
        while self.pid is not None and pid_alive(self.pid):
            if time.monotonic() > deadline:
                self.kill()
                raise HarnessError('ftpchatfs daemon %d did not exit within %.0fs of unmount; killed'
                                   % (self.pid, timeout))
            time.sleep(0.05)
        return None

    def kill(self):
        """SIGKILL to the daemon (a crash), then a lazy unmount of the dead mount."""
        if self.pid is not None and pid_alive(self.pid):
            signal_tree(self.pid, signal.SIGKILL)
        if self.proc is not None:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        else:
            deadline = time.monotonic() + 10
            while self.pid is not None and pid_alive(self.pid) and time.monotonic() < deadline:
                time.sleep(0.02)
        if self.mounted:
            subprocess.run(['fusermount3', '-u', '-z', self.mountpoint], capture_output=True, timeout=30)

    def cleanup(self):
        """Best-effort unmount for exit: never raises."""
        try:
            if self.mounted or self.running:
                self.unmount(timeout=5)
        except Exception:
            pass
        try:
            self.kill()
        except Exception:
            pass

    def close(self):
        self.cleanup()
        unregister('mounts', self)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    # -- paths and logs ---------------------------------------------------------------------------
    def path(self, room=None, name=None):
        parts = [self.mountpoint] + [p for p in (room, name) if p]
        return os.path.join(*parts)

    def log(self, room):
        return self.path(room, 'log')

    def outbox(self, room):
        return self.path(room, 'outbox')

    def url_redacted(self):
        scheme, sep, rest = self.url.partition('://')
        if sep and '@' in rest.split('/', 1)[0]:
            cred, _, host = rest.partition('@')
            return '%s://%s@%s' % (scheme, cred.split(':', 1)[0], host)
        return self.url

    def _log_since_start(self):
        text = file_tail(self.log_path, 400)
        i = text.rfind('\n--- ')
        return text[i + 1:] if i >= 0 else text

    def log_text(self):
        try:
            with open(self.log_path, 'rb') as f:
                return f.read().decode('utf-8', 'replace')
        except OSError:
            return ''

    def log_tail(self, lines=40):
        return file_tail(self.log_path, lines)

    def __repr__(self):
        return '<Mount %s at %s mounted=%s>' % (self.url_redacted(), self.mountpoint, self.mounted)


def run_ftpchatfs(args, env=None, timeout=30):
    """Runs the binary with arbitrary arguments (e.g. --help, bad options); CompletedProcess."""
    return run([ftpchatfs_binary()] + list(args), timeout=timeout, check=False, env=env)
