# A threaded TCP proxy on 127.0.0.1 for fault tests and network benches: cut live connections,
# refuse new ones, stall traffic, or relay every byte over a modelled link (delay, jitter,
# bandwidth cap: harness_link.py), logging what passes (harness_traffic.py). FTP control
# connections are recognised by their "220" greeting and their PASV/EPSV replies rewritten so
# passive data connections also pass through the proxy (and its link).
import re
import select
import socket
import struct
import threading
import time

from harness_base import free_port, register, unregister
from harness_link import DelayLine, Link, TokenBucket
from harness_traffic import FtpCommandParser, TrafficLog

_PASV_RE = re.compile(rb'^227 .*?\(?(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)?')
_EPSV_RE = re.compile(rb'^229 (.*)\(\|\|\|(\d+)\|\)(.*)$')
_FINAL_REPLY_RE = re.compile(rb'^\d{3} ')
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

    link (harness_link.Link) is what every relayed connection, control and data, goes through;
    its bandwidth cap is one token bucket per direction for the whole proxy, shared by all its
    connections as they would share one access link (a bucket per connection would let a pool
    of connections multiply the cap). `.traffic` (harness_traffic.TrafficLog) records what
    passes. The proxy shuts itself down after max_lifetime seconds."""

    def __init__(self, target_port, target_host='127.0.0.1', ftp=None, max_lifetime=1800, link=None):
        self.target = (target_host, target_port)
        self.ftp = ftp
        self.link = link or Link()
        self._buckets = None
        if self.link.rate is not None:
            self._buckets = {d: TokenBucket(self.link.rate) for d in ('up', 'down')}
        self.traffic = TrafficLog()
        self.port = free_port()
        self.accepted = 0          # client connections accepted (control and data)
        self.data_connections = 0  # passive data connections relayed
        self._lock = threading.Lock()
        self._live = set()        # sockets of live connections; protected by _lock (as are the
        self._threads = []        # counters above, this list
        self._pairs = {}          # and each relayed connection's (client, server) by log id)
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

    def cut(self, conn, abort=False):
        """Cuts one relayed connection, both sides, named by its id in .traffic: as drop_all
        does (each side sees its end of the stream), or with abort=True by a reset, as a broken
        link ends (neither side sees a clean end: an upload cut short is not taken for a whole
        one). False when it is not relaying (yet, or any more)."""
        with self._lock:
            pair = self._pairs.get(conn)
        for s in pair or ():
            _abort(s) if abort else _cut(s, True)
        return pair is not None

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

    def _bucket(self, direction):
        return self._buckets[direction] if self._buckets else None

    def _serve(self, client, target, ftp, kind='control'):
        """Relays one accepted connection until both directions end.

        TCP's handshake on a shaped link: a client's connect() returns at once on loopback,
        where over a real link it takes a round trip (SYN, SYN-ACK) and the server accepts half
        a round trip later (the ACK). A control (or SSH) connection therefore reaches the server
        1.5 round trips after the client connected, and the client's first bytes wait for it:
        nothing it sends arrives, nor any greeting comes back, sooner than over a real
        handshake. A passive data connection is opened right after a PASV/EPSV reply, and a
        client may send a command on the control connection as soon as connect() returns
        (libcurl sends TYPE then), so for those the round trip is charged to the passive reply
        instead (_pump_down delays it by one), and the server side opens half a round trip
        after the client's connect."""
        t0 = time.monotonic()
        link = self.link
        conn = self.traffic.new_connection(t0, kind)
        opened = t0
        if link.shaped and link.handshake:
            opened += (0.5 if kind == 'data' else 1.5) * link.rtt
        client.settimeout(None)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._live.add(client)
        state = {'ftp': ftp, 'forced': ftp}  # FTP or not, once the greeting tells
        up = DelayLine(link, self._bucket('up'), floor=opened, stalled=self._stalled,
                       stopping=self._stopping)
        reader = None
        if link.shaped:  # reads (and timestamps) the client's bytes during the handshake
            reader = self._start_reader(client, up, conn, state)
        server = None
        try:
            while time.monotonic() < opened and not self._stop.wait(min(_TICK, opened - time.monotonic())):
                pass
            server = socket.create_connection(target, timeout=5)
            server.settimeout(None)
            server.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            _cut(client, True)
            up.abort()
        if server is not None:
            with self._lock:
                self._live.add(server)
                self._pairs[conn] = (client, server)
            up.attach(server)
            if reader is None:
                reader = self._start_reader(client, up, conn, state)
            down = DelayLine(link, self._bucket('down'), dst=client, stalled=self._stalled,
                             stopping=self._stopping)
            self._pump_down(server, down, conn, state)
            down.close()
            down.wait_done(30)
        if reader is not None:
            reader.join()
        up.wait_done(30)
        self.traffic.add(time.monotonic(), conn, 'close', None)
        with self._lock:
            self._live.discard(client)
            self._live.discard(server)
            self._pairs.pop(conn, None)
        for s in (client, server):
            if s is not None:
                s.close()

    def _start_reader(self, client, line, conn, state):
        t = threading.Thread(target=self._pump_up, args=(client, line, conn, state), daemon=True)
        t.start()
        return t

    def _receive(self, src):
        """The next bytes from src (b'' at its end), or None if there were none within a tick
        or the proxy is stalled."""
        if self._stalled.is_set():
            time.sleep(_TICK / 2)
            return None
        try:
            ready, _, _ = select.select([src], [], [], _TICK)
        except (ValueError, OSError):  # closed under us (cut with a reset): its end
            return b''
        if not ready:
            return None
        return src.recv(self.link.chunk_limit())

    def _pump_up(self, src, line, conn, state):
        """Client to server: raw bytes; FTP commands are logged while the control connection
        is in clear."""
        parser = FtpCommandParser()
        try:
            while not self._stopping():
                data = self._receive(src)
                if data is None:
                    continue
                if not data:
                    break
                now = time.monotonic()
                self.traffic.add(now, conn, 'up', len(data))
                if state['ftp']:
                    for command in parser.feed(data):
                        self.traffic.add(now, conn, 'cmd', command)
                line.put(data)
        except OSError:
            pass
        finally:
            line.close()

    def _pump_down(self, src, line, conn, state):
        """Server to client until EOF or error. FTP (detected by the greeting unless forced):
        reply lines are rewritten (passive replies) and logged; after "234" (AUTH TLS) the
        bytes pass untouched."""
        pending = b''
        try:
            while not self._stopping():
                data = self._receive(src)
                if data is None:
                    continue
                if not data:
                    break
                if state['ftp'] is None:
                    state['ftp'] = data.startswith(b'220') if state['forced'] is None else state['forced']
                if not state['ftp']:
                    self.traffic.add(line.put(data), conn, 'down', len(data))
                    continue
                pending += data
                lines = pending.split(b'\n')
                pending = lines.pop()
                out, replies, raw_after, extra = [], [], False, 0.0
                for i, text in enumerate(lines):
                    out.append(self._rewrite(text + b'\n'))
                    if out[-1].startswith((b'227 ', b'229 ')) and self.link.shaped and self.link.handshake:
                        extra = self.link.rtt  # the data connection's handshake (see _serve)
                    if _FINAL_REPLY_RE.match(out[-1]):
                        replies.append(out[-1].rstrip(b'\r\n').decode('utf-8', 'replace'))
                    if text.startswith(b'234 '):  # TLS from here on: bytes only
                        rest = b'\n'.join(lines[i + 1:]) + (b'\n' if i + 1 < len(lines) else b'')
                        out.append(rest + pending)
                        pending, raw_after = b'', True
                        break
                chunk = b''.join(out)
                if chunk:
                    due = line.put(chunk, extra)
                    self.traffic.add(due, conn, 'down', len(chunk))
                    for reply in replies:
                        self.traffic.add(due, conn, 'reply', reply)
                if raw_after:
                    state['ftp'] = False
            if pending:
                self.traffic.add(line.put(pending), conn, 'down', len(pending))
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
                    self._serve(client, target, False, 'data')
                    return
        except OSError:
            pass
        finally:
            listener.close()


def _abort(sock):
    """Closes sock with a reset (SO_LINGER 0): the peer gets ECONNRESET, not an end of file."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        sock.close()
    except OSError:
        pass


def _cut(sock, reset):
    try:
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
