# A threaded TCP proxy on 127.0.0.1 for fault tests: cut live connections, refuse new ones, or
# stall traffic. FTP control connections are recognised by their "220" greeting and their
# PASV/EPSV replies rewritten so passive data connections also pass through the proxy.
import re
import select
import socket
import struct
import threading
import time

from harness_base import free_port, register, unregister

_PASV_RE = re.compile(rb'^227 .*?\(?(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)?')
_EPSV_RE = re.compile(rb'^229 (.*)\(\|\|\|(\d+)\|\)(.*)$')
_TICK = 0.1  # how often blocked loops look at the stop/stall flags


def _listen(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    s.listen(64)
    return s


class TcpProxy:
    """Forwards 127.0.0.1:`.port` to target_host:target_port.

    ftp=None detects FTP by the server's greeting; ftp=False forwards bytes untouched (SFTP),
    ftp=True insists on it. After "AUTH TLS" the control channel is encrypted, so PASV replies
    cannot be rewritten: FTPS data connections go straight to the server (both on loopback).
    The proxy shuts itself down after max_lifetime seconds."""

    def __init__(self, target_port, target_host='127.0.0.1', ftp=None, max_lifetime=1800):
        self.target = (target_host, target_port)
        self.ftp = ftp
        self.port = free_port()
        self.accepted = 0          # client connections accepted (control and data)
        self.data_connections = 0  # passive data connections relayed
        self._lock = threading.Lock()
        self._live = set()        # sockets of live connections; protected by _lock (as are the
        self._threads = []        # counters above and this list)
        self._down = False
        self._stalled = threading.Event()
        self._stop = threading.Event()
        self._deadline = time.monotonic() + max_lifetime
        self._listener = _listen(self.port)
        self._spawn(self._accept_loop)
        register('proxies', self)

    # -- controls -----------------------------------------------------------------------------
    def drop_all(self, reset=True):
        """Cuts every live connection (both sides). reset=True sends RST rather than FIN."""
        with self._lock:
            socks = list(self._live)
        for s in socks:
            _cut(s, reset)
        return len(socks)

    def set_down(self, down):
        """down=True: new connections are refused (the listener closes); False: accepted again.
        Live connections are left alone (see drop_all)."""
        self._down = bool(down)

    def set_stalled(self, stalled):
        """stalled=True: connections stay open but no byte is forwarded until False."""
        if stalled:
            self._stalled.set()
        else:
            self._stalled.clear()

    @property
    def live_connections(self):
        with self._lock:
            return len(self._live) // 2

    def stop(self):
        self._stop.set()
        self.drop_all()
        with self._lock:
            threads = list(self._threads)
        for t in threads:
            if t is not threading.current_thread():
                t.join(2)
        unregister('proxies', self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- internals ------------------------------------------------------------------------------
    def _spawn(self, fn, *args):
        t = threading.Thread(target=fn, args=args, daemon=True)
        with self._lock:
            self._threads = [x for x in self._threads if x.is_alive()] + [t]
        t.start()

    def _count(self, data=False):
        with self._lock:
            self.accepted += 1
            if data:
                self.data_connections += 1

    def _stopping(self):
        return self._stop.is_set() or time.monotonic() > self._deadline

    def _accept_loop(self):
        listener = self._listener
        try:
            while not self._stopping():
                if self._down and listener is not None:
                    listener.close()
                    listener = None
                elif not self._down and listener is None:
                    try:
                        listener = _listen(self.port)
                    except OSError:
                        time.sleep(_TICK)
                        continue
                if listener is None:
                    time.sleep(_TICK / 2)
                    continue
                ready, _, _ = select.select([listener], [], [], _TICK)
                if not ready:
                    continue
                try:
                    client, _ = listener.accept()
                except OSError:
                    continue
                self._count()
                self._spawn(self._serve, client, self.target, self.ftp)
        finally:
            if listener is not None:
                listener.close()
            if not self._stop.is_set():
                self._stop.set()
                self.drop_all()

    def _serve(self, client, target, ftp):
        try:
            server = socket.create_connection(target, timeout=5)
        except OSError:
            _cut(client, True)
            return
        for s in (client, server):
            s.settimeout(None)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._live.update((client, server))
        up = threading.Thread(target=self._pump, args=(client, server, False), daemon=True)
        up.start()
        self._pump(server, client, ftp)
        up.join()
        with self._lock:
            self._live.discard(client)
            self._live.discard(server)
        for s in (client, server):
            s.close()

    def _pump(self, src, dst, ftp):
        """Copies src to dst until EOF or error. ftp: None = detect from the first bytes,
        True = rewrite passive replies line by line, False = raw."""
        pending = b''
        try:
            while not self._stopping():
                if self._stalled.is_set():
                    time.sleep(_TICK / 2)
                    continue
                ready, _, _ = select.select([src], [], [], _TICK)
                if not ready:
                    continue
                data = src.recv(65536)
                if not data:
                    break
                if ftp is None:
                    ftp = data.startswith(b'220') if self.ftp is None else self.ftp
                if not ftp:
                    dst.sendall(data)
                    continue
                pending += data
                lines = pending.split(b'\n')
                pending = lines.pop()
                out, raw_after = [], False
                for i, line in enumerate(lines):
                    out.append(self._rewrite(line + b'\n'))
                    if line.startswith(b'234 '):  # TLS from here on: bytes only
                        rest = b'\n'.join(lines[i + 1:]) + (b'\n' if i + 1 < len(lines) else b'')
                        out.append(rest + pending)
                        pending, raw_after = b'', True
                        break
                dst.sendall(b''.join(out))
                if raw_after:
                    ftp = False
            if pending:
                dst.sendall(pending)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def _rewrite(self, line):
        m = _PASV_RE.match(line)
        if m:
            port = int(m.group(5)) * 256 + int(m.group(6))
            local = self._relay_data(port)
            return b'227 Entering Passive Mode (127,0,0,1,%d,%d).\r\n' % (local // 256, local % 256)
        m = _EPSV_RE.match(line.rstrip(b'\r\n'))
        if m:
            local = self._relay_data(int(m.group(2)))
            return b'229 %s(|||%d|)%s\r\n' % (m.group(1), local, m.group(3))
        return line

    def _relay_data(self, server_port):
        """A one-shot listener for the passive data connection the client is about to open."""
        listener = _listen(0)
        port = listener.getsockname()[1]
        self._spawn(self._data_accept, listener, (self.target[0], server_port))
        return port

    def _data_accept(self, listener, target):
        deadline = time.monotonic() + 30
        try:
            while not self._stopping() and time.monotonic() < deadline:
                ready, _, _ = select.select([listener], [], [], _TICK)
                if ready:
                    client, _ = listener.accept()
                    self._count(data=True)
                    self._serve(client, target, False)
                    return
        except OSError:
            pass
        finally:
            listener.close()


def _cut(sock, reset):
    try:
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
