# What a user's shell does to a mounted room, done with the real tools: read a file, append a
# line with `echo >>`, and follow a log with GNU `tail -f`.
import subprocess
import threading
import time

from harness_base import HarnessError, WaitTimeout, register, unregister


def read_text(path):
    """The whole file as text (UTF-8; undecodable bytes shown as U+FFFD)."""
    with open(path, 'rb') as f:
        return f.read().decode('utf-8', 'replace')


def read_status(mount, room):
    """A mounted room's ROOM/status as {key: value} (its "key: value" lines, ftpchatfs(1))."""
    out = {}
    for line in read_text(mount.path(room, 'status')).splitlines():
        key, sep, value = line.partition(': ')
        if sep:
            out[key] = value
    return out


def append_line(path, text, check=True, timeout=30):
    """Runs `sh -c 'echo "$1" >> "$2"' _ text path`, as a user would. Returns the
    CompletedProcess; with check=True a non-zero exit raises with the shell's stderr."""
    r = subprocess.run(['sh', '-c', 'echo "$1" >> "$2"', '_', text, str(path)],
                       capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise HarnessError('echo >> %s failed with status %d: %s' % (path, r.returncode, r.stderr.strip()))
    return r


class TailFollower:
    """`tail -f -n +1 PATH` as a child process; its stdout lines are collected by a thread.
    sleep_interval is tail's -s (how often it polls a file on a remote-looking filesystem)."""

    def __init__(self, path, sleep_interval=None, args=()):
        cmd = ['setpriv', '--pdeathsig', 'KILL', '--', 'tail', '-f', '-n', '+1']
        if sleep_interval is not None:
            cmd += ['-s', str(sleep_interval)]
        cmd += list(args) + [str(path)]
        self.path = str(path)
        self._lines = []  # protected by _cond
        self._cond = threading.Condition()
        self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE)
        self._stderr = b''
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._err_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._err_reader.start()
        register('followers', self)

    def _read(self):
        for raw in self._proc.stdout:
            with self._cond:
                self._lines.append(raw.decode('utf-8', 'replace').rstrip('\n'))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def _read_stderr(self):
        self._stderr = self._proc.stderr.read()

    @property
    def lines(self):
        with self._cond:
            return list(self._lines)

    @property
    def stderr(self):
        return self._stderr.decode('utf-8', 'replace')

    @property
    def running(self):
        return self._proc.poll() is None

    def wait_for_line(self, substr, timeout=10.0, start=0):
        """The first line at index >= start that contains substr; WaitTimeout otherwise."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self._lines[start:]:
                    if substr in line:
                        return line
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 0.2))
        raise WaitTimeout('tail -f %s: no line containing %r within %.1fs; lines so far: %r; stderr: %s'
                          % (self.path, substr, timeout, self.lines[-20:], self.stderr.strip()))

    def wait_for_count(self, count, timeout=10.0):
        """Waits until at least `count` lines arrived; returns the lines."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._lines) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise WaitTimeout('tail -f %s: %d of %d lines within %.1fs: %r'
                                      % (self.path, len(self._lines), count, timeout, self._lines[-20:]))
                self._cond.wait(min(left, 0.2))
            return list(self._lines)

    def stop(self):
        """Ends tail and returns every line it printed."""
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
        self._reader.join(5)
        self._err_reader.join(5)
        for pipe in (self._proc.stdout, self._proc.stderr):
            pipe.close()
        unregister('followers', self)
        return self.lines

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Steps:
    """Names and times the steps of a test, so that a failure says which step failed, after
    how long, and how long each earlier step took:

        steps = Steps('exchange on pyftpd')
        with steps('round 2: bob sees the lines', on_failure=lambda: a.log_tail()):
            wait_for(...)

    A failing step raises HarnessError (a test failure) with that account; `on_failure`, if
    given, adds what it returns (a status file, a daemon's log) to the message."""

    def __init__(self, label=''):
        self.label = label
        self.started = time.monotonic()
        self.done = []  # (name, seconds)

    def timeline(self):
        return ', '.join('%s %.2fs' % (name, secs) for name, secs in self.done) or 'none'

    def __call__(self, name, on_failure=None):
        return _Step(self, name, on_failure)


class _Step:
    def __init__(self, steps, name, on_failure):
        self.steps, self.name, self.on_failure = steps, name, on_failure

    def __enter__(self):
        self.began = time.monotonic()
        return self

    def __exit__(self, exc_type, exc, tb):
        took = time.monotonic() - self.began
        if exc_type is None:
            self.steps.done.append((self.name, took))
            return False
        if not issubclass(exc_type, Exception):
            return False
        extra = ''
        if self.on_failure is not None:
            try:
                extra = '\n' + str(self.on_failure())
            except Exception as e:  # a post-mortem must not hide the failure itself
                extra = '\n(post-mortem failed: %r)' % (e,)
        raise HarnessError('%sstep %r failed after %.2fs (%.2fs into the test): %s\nearlier steps: %s%s'
                           % (self.steps.label + ': ' if self.steps.label else '', self.name, took,
                              time.monotonic() - self.steps.started, exc, self.steps.timeline(), extra)) from exc
