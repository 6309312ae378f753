# Shared plumbing of the test harness: free ports, scratch folders, child processes that never
# outlive the test run, bounded waiting, and one ordered clean-up at exit.
import atexit
import errno
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

SCRATCH_PREFIX = 'ftpchat-t-'

# Ports are drawn below Linux's ephemeral range (32768+), so an outgoing connection cannot take
# a server's port while that server is stopped for a restart test.
_PORT_LOW, _PORT_HIGH = 20000, 32000

# Clean-up happens in this order at exit: readers of mounted files (they keep a mount busy), then
# mounts (a leftover FUSE mount breaks what comes after it), proxies, servers, small disks
# (tmpfs that servers or clients wrote to), and last the scratch folders. Protected by _registry_lock.
_registry_lock = threading.Lock()
_registry = {'followers': [], 'mounts': [], 'proxies': [], 'servers': [], 'disks': [], 'scratch': []}


class HarnessError(AssertionError):
    """A harness step failed; an AssertionError so unittest reports it as a test failure."""


class WaitTimeout(HarnessError):
    pass


def register(kind, obj):
    with _registry_lock:
        if obj not in _registry[kind]:
            _registry[kind].append(obj)


def unregister(kind, obj):
    with _registry_lock:
        if obj in _registry[kind]:
            _registry[kind].remove(obj)


class RegisteredServer:
    """What every test server shares: it is registered for the exit clean-up (under
    'servers'), and is a context manager. Subclasses define start() (returning self) and
    stop()."""

    def close(self):
        """Stops the server and forgets it (its scratch folder goes at exit)."""
        self.stop()
        unregister('servers', self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


def _cleanup_all():
    for kind, method in (('followers', 'stop'), ('mounts', 'cleanup'), ('proxies', 'stop'), ('servers', 'stop'),
                         ('disks', 'close')):
        with _registry_lock:
            objs = list(reversed(_registry[kind]))
        for obj in objs:
            try:
                getattr(obj, method)()
            except Exception:  # clean-up must go on with the rest
                pass
    if os.environ.get('FTPCHAT_KEEP_SCRATCH'):
        return
    with _registry_lock:
        dirs = list(_registry['scratch'])
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_cleanup_all)


def _exit_on_sigterm(signum, _frame):
    raise SystemExit(128 + signum)


def _install_sigterm_handler():
    # A SIGTERM (e.g. from a test runner's timeout) should still run the atexit clean-up.
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_on_sigterm)


_install_sigterm_handler()


def _port_is_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('127.0.0.1', port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now (outside the ephemeral range)."""
    for _ in range(500):
        port = random.randint(_PORT_LOW, _PORT_HIGH)
        if _port_is_free(port):
            return port
    raise HarnessError('no free port found in %d-%d' % (_PORT_LOW, _PORT_HIGH))


def free_port_range(n):
    """(low, high), inclusive: n consecutive free ports, e.g. for an FTP server's passive ports."""
    for _ in range(200):
        low = random.randint(_PORT_LOW, _PORT_HIGH - n)
        if all(_port_is_free(p) for p in range(low, low + n)):
            return low, low + n - 1
    raise HarnessError('no run of %d free ports found' % n)


def make_scratch(name='scratch'):
    """A fresh folder under /tmp (mode 0755, so servers running as other users can reach
    inside), removed at exit unless FTPCHAT_KEEP_SCRATCH is set."""
    path = tempfile.mkdtemp(prefix=SCRATCH_PREFIX + name + '-', dir='/tmp')
    os.chmod(path, 0o755)
    register('scratch', path)
    return path


class ScratchDir:
    """Context manager around make_scratch() that removes the folder on exit."""

    def __init__(self, name='scratch'):
        self.path = make_scratch(name)

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        self.remove()

    def remove(self):
        if not os.environ.get('FTPCHAT_KEEP_SCRATCH'):
            shutil.rmtree(self.path, ignore_errors=True)
        unregister('scratch', self.path)

    def __fspath__(self):
        return self.path

    def __str__(self):
        return self.path


def wait_for(predicate, timeout=10.0, interval=0.05, message=None):
    """Polls predicate() until it returns something truthy, and returns that. Raises WaitTimeout
    after `timeout` seconds; exceptions from predicate count as "not yet"."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # the thing waited for may not exist yet
            last_error = e
        if time.monotonic() >= deadline:
            text = message or getattr(predicate, '__name__', 'condition')
            if last_error is not None:
                text += ' (last error: %r)' % (last_error,)
            raise WaitTimeout('timed out after %.1fs waiting for %s' % (timeout, text))
        time.sleep(interval)


def port_accepts(port, host='127.0.0.1', timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def file_tail(path, lines=40):
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        return '(no log: %s)' % e
    text = data.decode('utf-8', 'replace').splitlines()
    return '\n'.join(text[-lines:])


def _children_of():
    """Map pid -> [child pids] from /proc."""
    children = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields after the last ')'.
        fields = stat[stat.rfind(')') + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def process_tree(pid):
    """pid and all its descendants (servers fork per session; some sessions call setsid, so a
    process group signal would miss them)."""
    children = _children_of()
    result, todo = [], [pid]
    while todo:
        p = todo.pop()
        result.append(p)
        todo.extend(children.get(p, []))
    return result


def _listening_inodes(port):
    """Socket inodes listening on TCP `port` (any address), from /proc/net/tcp{,6}."""
    inodes = set()
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    local, state, inode = fields[1], fields[3], fields[9]
                    if state == '0A' and int(local.rsplit(':', 1)[1], 16) == port:
                        inodes.add(inode)
        except OSError:
            continue
    return inodes


def tree_listens_on(pid, port):
    """True when `pid` or one of its descendants holds a socket listening on `port`. A
    connection that succeeds proves only that *something* listens: on a busy machine it can be
    another test's passive data port, while the server started here is still starting."""
    inodes = _listening_inodes(port)
    if not inodes:
        return False
    for p in process_tree(pid):
        try:
            for fd in os.listdir('/proc/%d/fd' % p):
                try:
                    link = os.readlink('/proc/%d/fd/%s' % (p, fd))
                except OSError:
                    continue
                if link.startswith('socket:[') and link[8:-1] in inodes:
                    return True
        except OSError:
            continue
    return False


def signal_tree(pid, sig):
    for p in process_tree(pid):
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


def pid_alive(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            state = f.read().rsplit(')', 1)[1].split()[0]
        return state != 'Z'
    except (OSError, IndexError):
        return False


def spawn(args, log_path, env=None, cwd=None, death_signal='KILL'):
    """Starts a child in its own session with stdout+stderr appended to log_path. With
    death_signal, the kernel signals the child if this test process dies (setpriv
    --pdeathsig), so no server outlives a killed test run."""
    if death_signal:
        args = ['setpriv', '--pdeathsig', death_signal, '--'] + list(args)
    log = open(log_path, 'ab')
    try:
        return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                env=env, cwd=cwd, start_new_session=True)
    finally:
        log.close()


def stop_process(proc, grace=5.0):
    """SIGTERM to the whole process tree, SIGKILL after `grace` seconds. Returns the exit code."""
    if proc is None:
        return None
    if proc.poll() is None:
        signal_tree(proc.pid, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    return kill_process(proc)


def kill_process(proc):
    """SIGKILL to the process and everything it forked; waits for the main process."""
    if proc is None:
        return None
    if proc.poll() is None:
        signal_tree(proc.pid, signal.SIGKILL)
    else:
        # The main process is gone but forked sessions may live on (re-parented): find them by
        # nothing else than their session id, which spawn() made unique.
        _kill_session(proc.pid)
    try:
        return proc.wait(10)
    except subprocess.TimeoutExpired:
        raise HarnessError('process %d did not die after SIGKILL' % proc.pid)


def _kill_session(sid):
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            if os.getsid(int(entry)) == sid:
                os.kill(int(entry), signal.SIGKILL)
        except OSError:
            pass


def run(args, timeout=30, check=True, text=True, **kw):
    """subprocess.run with a bounded time, output captured (text unless text=False), and the
    output in the error."""
    r = subprocess.run(args, capture_output=True, text=text, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise HarnessError('%s exited %d\nstdout: %r\nstderr: %r'
                           % (' '.join(map(str, args)), r.returncode, r.stdout[-2000:], r.stderr[-2000:]))
    return r


def is_enotconn(path):
    try:
        os.stat(path)
        return False
    except OSError as e:
        return e.errno == errno.ENOTCONN
