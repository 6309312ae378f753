# Checks of the harness's link model (tests/harness/harness_link.py through TcpProxy): the
# delay, the handshake's round trip, jitter that never reorders bytes, the bandwidth cap shared
# by a proxy's connections, the traffic log, and the fault controls on a slow link. Timing
# bounds are loose (a loaded 2-core machine only ever makes things slower, so the upper bounds
# are generous) but each check fails if its feature is gone.
#   cd tests/integration && PYTHONPATH=../harness /usr/bin/python3 -m unittest -v test_proxy
import os
import socket
import socketserver
import statistics
import threading
import time
import unittest

import chatharness as h
from harness_base import run

DELAY = 0.05  # one way: a 100 ms round trip


class _Handler(socketserver.BaseRequestHandler):
    """echo: sends back what it reads. sink: reads until EOF, then answers the byte count.
    source: reads a decimal count and a newline, sends that many bytes, closes."""

    def handle(self):
        sock = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        mode = self.server.mode
        if mode == 'echo':
            while True:
                data = sock.recv(65536)
                if not data:
                    return
                sock.sendall(data)
        elif mode == 'sink':
            total = 0
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                total += len(data)
            sock.sendall(b'%d\n' % total)
        else:
            request = b''
            while not request.endswith(b'\n'):
                request += sock.recv(100)
            sock.sendall(b'x' * int(request))


class TestServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode):
        self.mode = mode
        super().__init__(('127.0.0.1', 0), _Handler)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self):
        self.shutdown()
        self.server_close()


def connect(port):
    s = socket.create_connection(('127.0.0.1', port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exactly(sock, n):
    out = b''
    while len(out) < n:
        data = sock.recv(n - len(out))
        if not data:
            raise AssertionError('connection closed after %d of %d bytes' % (len(out), n))
        out += data
    return out


def command_waits(events):
    """{verb: [seconds from the command sent to its reply delivered]} from a traffic log."""
    waits, asked = {}, {}
    for e in events:
        if e.kind == 'cmd':
            asked[e.conn] = (e.value.split(' ', 1)[0], e.t)
        elif e.kind == 'reply' and e.conn in asked:
            verb, t = asked.pop(e.conn)
            waits.setdefault(verb, []).append(e.t - t)
    return waits


def ping(sock):
    t0 = time.monotonic()
    sock.sendall(b'p')
    recv_exactly(sock, 1)
    return time.monotonic() - t0


class ProxyLinkTest(unittest.TestCase):
    def server(self, mode):
        s = TestServer(mode)
        self.addCleanup(s.close)
        return s

    def proxy(self, port, **link):
        p = h.TcpProxy(port, ftp=False, link=h.Link(**link))
        self.addCleanup(p.stop)
        return p

    def test_round_trip_is_twice_the_delay_and_a_handshake_costs_one_more(self):
        echo = self.server('echo')
        p = self.proxy(echo.port, delay=DELAY)
        sock = connect(p.port)
        with sock:
            first = ping(sock)  # waits for the modelled handshake: 1.5 round trips, then 0.5
            rtts = [ping(sock) for _ in range(8)]
        self.assertGreaterEqual(min(rtts), 2 * DELAY * 0.95, 'round trips %r' % rtts)
        self.assertLess(statistics.median(rtts), 2 * DELAY + 0.25, 'round trips %r' % rtts)
        self.assertGreaterEqual(first, 4 * DELAY * 0.95, 'first exchange %.3f s' % first)
        self.assertLess(first, 4 * DELAY + 0.5, 'first exchange %.3f s' % first)
        # A perfect link adds no delay worth the name.
        fast = self.proxy(echo.port)
        with connect(fast.port) as sock:
            ping(sock)
            self.assertLess(statistics.median([ping(sock) for _ in range(8)]), 0.04)

    def test_jitter_delays_chunks_without_reordering_them(self):
        echo = self.server('echo')
        p = self.proxy(echo.port, delay=0.01, jitter=0.03, seed=7)
        payload = b''.join(b'%06d;' % i for i in range(20000))
        with connect(p.port) as sock:
            ping(sock)
            rtts = [ping(sock) for _ in range(12)]
            got = []

            def read():
                got.append(recv_exactly(sock, len(payload)))

            reader = threading.Thread(target=read)
            reader.start()
            for i in range(0, len(payload), 700):  # many small writes: many chunks, each jittered
                sock.sendall(payload[i:i + 700])
                if i % 14000 == 0:
                    time.sleep(0.001)
            reader.join(60)
        self.assertTrue(got, 'echo of %d bytes not back within 60 s' % len(payload))
        self.assertEqual(got[0], payload, 'bytes reordered or lost through a jittery link')
        self.assertGreaterEqual(min(rtts), 0.02 * 0.95, 'round trips %r' % rtts)
        self.assertLess(statistics.median(rtts), 0.02 + 0.06 + 0.25, 'round trips %r' % rtts)
        self.assertGreater(max(rtts) - min(rtts), 0.005, 'no jitter in round trips %r' % rtts)

    def test_rate_cap_bounds_each_direction_and_is_shared_by_connections(self):
        rate = 200000
        sink, source = self.server('sink'), self.server('source')
        up = self.proxy(sink.port, rate=rate)
        size = 400000
        with connect(up.port) as sock:
            t0 = time.monotonic()
            sock.sendall(os.urandom(size))
            sock.shutdown(socket.SHUT_WR)
            answer = sock.makefile('rb').readline()
            upload = time.monotonic() - t0
        self.assertEqual(int(answer), size)
        self.assertGreater(upload, (size - 32768) / rate, 'upload of %d B took %.2f s' % (size, upload))
        self.assertLess(upload, 2.5 * size / rate + 1, 'upload of %d B took %.2f s' % (size, upload))

        down = self.proxy(source.port, rate=rate)
        times = []

        def fetch(n):
            with connect(down.port) as sock:
                t0 = time.monotonic()
                sock.sendall(b'%d\n' % n)
                recv_exactly(sock, n)
                times.append(time.monotonic() - t0)

        both = [threading.Thread(target=fetch, args=(size // 2,)) for _ in range(2)]
        t0 = time.monotonic()
        for t in both:
            t.start()
        for t in both:
            t.join(60)
        together = time.monotonic() - t0
        self.assertEqual(len(times), 2)
        # Two connections at once share the one cap: together as long as one of twice the size.
        self.assertGreater(together, (size - 32768) / rate, 'two downloads took %.2f s' % together)
        self.assertLess(together, 2.5 * size / rate + 1, 'two downloads took %.2f s' % together)
        s = down.traffic.summary()
        self.assertEqual(s['connections'], 2)
        self.assertEqual(s['bytes_down'], size)

    def test_ftp_commands_and_data_connections_are_logged_without_the_password(self):
        with h.PyFtpdServer() as server:
            p = h.TcpProxy(server.port, link=h.Link(delay=DELAY))
            self.addCleanup(p.stop)
            scratch = h.make_scratch('proxy')
            src = os.path.join(scratch, 'blob')
            with open(src, 'wb') as f:
                f.write(os.urandom(100000))
            url = server.url('chat/', port=p.port)
            run(['curl', '-sS', '-T', src, url + 'blob'])
            got = run(['curl', '-sS', url + 'blob'], text=False).stdout
            with open(src, 'rb') as f:
                self.assertEqual(got, f.read())
            commands = p.traffic.commands()
            self.assertIn('USER %s' % server.user, commands)
            self.assertIn('PASS ***', commands)
            self.assertEqual(commands[:8], ['USER %s' % server.user, 'PASS ***', 'PWD', 'CWD chat', 'EPSV',
                                            'TYPE I', 'STOR blob', 'QUIT'])
            self.assertEqual(commands.count('EPSV'), 2)
            self.assertFalse(any(server.password in str(e.value) for e in p.traffic.events()))
            s = p.traffic.summary()
            self.assertEqual((s['connections'], s['data_connections']), (4, 2))
            self.assertGreaterEqual(s['bytes_down'], 100000)
            self.assertTrue(any(e.kind == 'reply' and e.value.startswith('226') for e in p.traffic.events()))
            # A command's reply comes one round trip later; a passive reply two: the second is
            # the data connection's handshake (see TcpProxy._serve).
            waits = command_waits(p.traffic.events())
            for verb, rtts in (('PWD', 1), ('EPSV', 2)):
                for t in waits[verb]:
                    self.assertGreaterEqual(t, rtts * 2 * DELAY * 0.95, '%s answered after %r' % (verb, waits[verb]))
                    self.assertLess(t, rtts * 2 * DELAY + 0.5, '%s answered after %r' % (verb, waits[verb]))

    def test_a_refused_server_connection_cuts_the_client(self):
        port = h.free_port()  # nothing listens there
        p = self.proxy(port, delay=DELAY)
        with connect(p.port) as sock:
            sock.sendall(b'early bytes')
            sock.settimeout(5)
            try:
                self.assertEqual(sock.recv(10), b'')
            except ConnectionResetError:
                pass
        h.wait_for(lambda: p.live_connections == 0 and p.traffic.events()[-1].kind == 'close', 5,
                   message='proxy done with the refused connection')

    def test_stall_and_cut_still_work_on_a_slow_link(self):
        echo = self.server('echo')
        p = self.proxy(echo.port, delay=DELAY, jitter=0.01)
        sock = connect(p.port)
        with sock:
            ping(sock)
            p.set_stalled(True)
            time.sleep(0.3)  # the pump threads notice the stall
            sock.sendall(b'held')
            sock.settimeout(4 * DELAY + 0.4)
            with self.assertRaises(socket.timeout):
                sock.recv(10)
            p.set_stalled(False)
            sock.settimeout(5)
            self.assertEqual(recv_exactly(sock, 4), b'held')
            self.assertEqual(p.drop_all(), 2)
            sock.settimeout(5)
            try:
                self.assertEqual(sock.recv(10), b'')  # cut: end of stream or reset, at once
            except ConnectionResetError:
                pass
        h.wait_for(lambda: p.live_connections == 0, 5, message='proxy forgetting the cut connection')


if __name__ == '__main__':
    unittest.main()
