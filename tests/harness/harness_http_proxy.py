# A byte-for-byte TCP proxy on 127.0.0.1 for HTTP fault tests (S3, WebDAV) that loses chosen
# replies: the request reaches the server and takes effect, then the connection is cut
# instead of the reply coming back, so the client cannot know whether it landed.
# (TcpProxy's reply hook works on FTP's reply lines; HTTP bodies need no line framing.)
import select
import socket
import threading
import time

from harness_base import free_port, register, unregister

_TICK = 0.1
_METHODS = {b'GET', b'PUT', b'HEAD', b'DELETE', b'POST', b'PROPFIND', b'MKCOL', b'MOVE', b'COPY'}


def _reset(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class HttpReplyCutter:
    """Forwards 127.0.0.1:`.port` to 127.0.0.1:target_port. While `.cutting`, every
    `every`-th chunk from the server for which matches(chunk) is true (e.g. it holds a header
    only successful appends carry) is not forwarded: both sides of that connection are reset
    instead. `.seen` counts the matching chunks, `.cut_replies` those cut; `.requests` lists
    the request line of every request that passed (for counting them).

    With status_line_every_other=True every second cut first passes the reply's status line
    and resets 20 ms later: libcurl sends a request again by itself when a reused connection
    closes before any byte of the reply, so a cut before the reply tests that a request is
    safe to make twice, while a cut after its first line makes the request fail."""

    def __init__(self, target_port, matches, every=2, max_lifetime=600,
                 status_line_every_other=False):
        self.target = ('127.0.0.1', target_port)
        self.matches, self.every = matches, every
        self.status_line_every_other = status_line_every_other
        self.cutting = False
        self.seen, self.cut_replies = 0, 0
        self.requests = []
        self.port = free_port()
        self._lock = threading.Lock()  # protects the counters above
        self._stop = threading.Event()
        self._deadline = time.monotonic() + max_lifetime
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(('127.0.0.1', self.port))
        self._listener.listen(64)
        threading.Thread(target=self._accept_loop, daemon=True).start()
        register('proxies', self)

    def stop(self):
        self._stop.set()
        unregister('proxies', self)

    def _stopping(self):
        return self._stop.is_set() or time.monotonic() > self._deadline

    def _accept_loop(self):
        try:
            while not self._stopping():
                ready, _, _ = select.select([self._listener], [], [], _TICK)
                if ready:
                    client, _ = self._listener.accept()
                    threading.Thread(target=self._serve, args=(client,), daemon=True).start()
        finally:
            self._listener.close()

    def _should_cut(self, chunk):
        """0 to pass the chunk on, else the number of this cut (1, 2, ...)."""
        if not self.cutting or not self.matches(chunk):
            return 0
        with self._lock:
            self.seen += 1
            if self.seen % self.every:
                return 0
            self.cut_replies += 1
            return self.cut_replies

    def _serve(self, client):
        try:
            server = socket.create_connection(self.target, timeout=5)
        except OSError:
            _reset(client)
            client.close()
            return
        pair = {client: server, server: client}
        cut = False
        try:
            while not self._stopping() and not cut:
                ready, _, _ = select.select(list(pair), [], [], _TICK)
                for src in ready:
                    data = src.recv(65536)
                    if not data:
                        return
                    number = self._should_cut(data) if src is server else 0
                    if number:
                        cut = True
                        if self.status_line_every_other and number % 2 == 0:
                            client.sendall(data[:data.find(b'\r\n') + 2])
                            time.sleep(0.02)  # read by the client before the reset
                            # RST alone: after a FIN libcurl would take the line for a reply.
                            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                              b'\x01\x00\x00\x00\x00\x00\x00\x00')
                            client.close()
                        break
                    if src is client and data.split(b' ', 1)[0] in _METHODS:
                        with self._lock:
                            self.requests.append(data.split(b'\r\n', 1)[0].decode('latin-1'))
                    pair[src].sendall(data)
        except OSError:
            pass
        finally:
            for s in (client, server):
                if cut:
                    _reset(s)
                s.close()
